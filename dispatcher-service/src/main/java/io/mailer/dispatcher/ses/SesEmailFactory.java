package io.mailer.dispatcher.ses;

import static io.mailer.schemas.events.SesCorrelation.HEADER_BATCH_ID;
import static io.mailer.schemas.events.SesCorrelation.HEADER_SEND_ID;
import static io.mailer.schemas.events.SesCorrelation.HEADER_TENANT;
import static io.mailer.schemas.events.SesCorrelation.TAG_BATCH_ID;
import static io.mailer.schemas.events.SesCorrelation.TAG_SEND_ID;
import static io.mailer.schemas.events.SesCorrelation.TAG_TENANT;

import io.mailer.dispatcher.render.RenderedMessage;
import io.mailer.dispatcher.unsubscribe.UnsubscribeHeaders;
import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.events.SendRequest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.sesv2.model.Body;
import software.amazon.awssdk.services.sesv2.model.Content;
import software.amazon.awssdk.services.sesv2.model.EmailContent;
import software.amazon.awssdk.services.sesv2.model.Message;
import software.amazon.awssdk.services.sesv2.model.MessageHeader;
import software.amazon.awssdk.services.sesv2.model.MessageTag;
import software.amazon.awssdk.services.sesv2.model.SendEmailRequest;

/**
 * Builds the SES v2 {@code SendEmail} request of one send: Simple content, the tags and header that
 * let SES events be traced back to the send, the batch's custom headers and, for non-transactional
 * mail, the one-click unsubscribe headers.
 */
public final class SesEmailFactory {

    private static final String UTF_8 = "UTF-8";
    public static final String NO_FROM = "no From address: the message has none and MAIL_FROM is not set";
    /** SES accepts at most 15 custom headers per message. */
    public static final int MAX_HEADERS = 15;

    private final String defaultFrom;
    private final String configurationSet;
    private final UnsubscribeHeaders unsubscribe;

    /**
     * @param defaultFrom      {@code MAIL_FROM}, used when a message has no From; may be null
     * @param configurationSet {@code SES_CONFIGURATION_SET}; may be null
     * @param unsubscribe      null when unsubscribe links are not configured
     */
    public SesEmailFactory(String defaultFrom, String configurationSet, UnsubscribeHeaders unsubscribe) {
        this.defaultFrom = defaultFrom;
        this.configurationSet = configurationSet;
        this.unsubscribe = unsubscribe;
    }

    /** The From of a send: the message's, else MAIL_FROM; null when neither is set. */
    public String from(SendRequest send) {
        MessageContent m = send.message();
        String from = m.from() != null && !m.from().isBlank() ? m.from() : defaultFrom;
        return from == null || from.isBlank() ? null : from;
    }

    /** @throws IllegalArgumentException when neither the message nor MAIL_FROM gives a From address */
    public SendEmailRequest build(SendRequest send, RenderedMessage rendered) {
        MessageContent m = send.message();
        String from = from(send);
        if (from == null) {
            throw new IllegalArgumentException(NO_FROM);
        }
        Body.Builder body = Body.builder();
        if (rendered.html() != null) {
            body.html(content(rendered.html()));
        }
        if (rendered.text() != null) {
            body.text(content(rendered.text()));
        }
        Message message = Message.builder()
                .subject(content(rendered.subject() == null ? "" : rendered.subject()))
                .body(body.build())
                .headers(headers(send))
                .build();
        SendEmailRequest.Builder request = SendEmailRequest.builder()
                .fromEmailAddress(from)
                .destination(d -> d.toAddresses(send.email()))
                .content(EmailContent.builder().simple(message).build())
                .emailTags(tags(send));
        if (m.replyTo() != null && !m.replyTo().isBlank()) {
            request.replyToAddresses(m.replyTo());
        }
        String set = configurationSet(send);
        if (set != null) {
            request.configurationSetName(set);
        }
        return request.build();
    }

    /** Every header of a send's message, the batch's first, within SES's limit of 15. */
    List<MessageHeader> headers(SendRequest send) {
        // ours first and always: they trace events back to the send and carry the unsubscribe link
        Map<String, String> ours = new LinkedHashMap<>();
        ours.put(HEADER_SEND_ID, send.sendId());
        ours.put(HEADER_BATCH_ID, send.batchId());
        ours.put(HEADER_TENANT, send.tenantId());
        if (unsubscribe != null) {
            ours.putAll(unsubscribe.forSend(send));
        }
        Set<String> taken = new HashSet<>();
        ours.keySet().forEach(name -> taken.add(name.toLowerCase(Locale.ROOT)));
        List<MessageHeader> out = new ArrayList<>(MAX_HEADERS);
        // the batch's headers fill what SES's limit of 15 leaves; a name of ours is never overridden
        for (Map.Entry<String, String> h : send.message().headers().entrySet()) {
            if (out.size() + ours.size() >= MAX_HEADERS) {
                break;
            }
            if (taken.add(h.getKey().toLowerCase(Locale.ROOT))) {
                out.add(header(h.getKey(), h.getValue()));
            }
        }
        ours.forEach((name, value) -> out.add(header(name, value)));
        return out;
    }

    private static MessageHeader header(String name, String value) {
        return MessageHeader.builder().name(name).value(value).build();
    }

    private static Content content(String data) {
        return Content.builder().data(data).charset(UTF_8).build();
    }

    /**
     * The three tags that trace SES events back to the send, then the batch's own tags (ingress
     * allows at most 10, SES 50); a batch tag can never replace one of Mailer's.
     */
    static List<MessageTag> tags(SendRequest send) {
        List<MessageTag> tags = new java.util.ArrayList<>(List.of(tag(TAG_SEND_ID, send.sendId()),
                tag(TAG_BATCH_ID, send.batchId()), tag(TAG_TENANT, send.tenantId())));
        if (send.message() != null) {
            send.message().tags().forEach((name, value) -> {
                if (!name.startsWith("mailer_") && value != null) {
                    tags.add(tag(name, value));
                }
            });
        }
        return tags;
    }

    /** The tenant's configuration set (from its policy, carried by the batch), else SES_CONFIGURATION_SET. */
    String configurationSet(SendRequest send) {
        String own = send.message() == null ? null : send.message().configurationSet();
        if (own != null && !own.isBlank()) {
            return own;
        }
        return configurationSet == null || configurationSet.isBlank() ? null : configurationSet;
    }

    private static MessageTag tag(String name, String value) {
        return MessageTag.builder().name(name).value(value).build();
    }
}
