package io.mailer.dispatcher.ses;

import io.mailer.dispatcher.render.RenderedMessage;
import io.mailer.dispatcher.unsubscribe.UnsubscribeHeaders;
import io.mailer.schemas.events.SendRequest;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import software.amazon.awssdk.services.sesv2.model.BulkEmailContent;
import software.amazon.awssdk.services.sesv2.model.BulkEmailEntry;
import software.amazon.awssdk.services.sesv2.model.EmailTemplateContent;
import software.amazon.awssdk.services.sesv2.model.MessageHeader;
import software.amazon.awssdk.services.sesv2.model.ReplacementEmailContent;
import software.amazon.awssdk.services.sesv2.model.ReplacementTemplate;
import software.amazon.awssdk.services.sesv2.model.SendBulkEmailRequest;
import software.amazon.awssdk.services.sesv2.model.Template;

/**
 * Builds SES v2 {@code SendBulkEmail} requests that deliver exactly what {@link SesEmailFactory} would
 * send one by one.
 *
 * <p>Each recipient's subject, html and text are rendered by our own Mustache renderer (same escaping,
 * same "missing variable fails" rule as single mode) and passed as the entry's
 * {@code ReplacementTemplateData}; the call's inline template ({@code TemplateContent}) only passes
 * them through: {@code {{subject}}}, {@code {{html}}}, {@code {{text}}}. Plain double-brace
 * placeholders because SES documents inline templates as supporting "only simple substitutions" and
 * states that it does not HTML-escape what it substitutes (developer guide, "Advanced email
 * personalization"); triple braces are a Handlebars feature it does not promise for inline content.
 * So SES's template language never sees the tenant's template.
 *
 * <p>Headers: the per-recipient ones ({@code X-Mailer-Send-Id}, {@code List-Unsubscribe},
 * {@code List-Unsubscribe-Post}) go in the entry's {@code ReplacementHeaders}; the ones shared by the
 * whole batch (its custom headers, {@code X-Mailer-Batch-Id}, {@code X-Mailer-Tenant}) in the
 * template's {@code Headers}. Tags: all three per entry ({@code ReplacementTags}).
 */
public final class SesBulkEmailFactory {

    /** SES: at most 50 destinations per SendBulkEmail call. */
    public static final int MAX_ENTRIES = 50;
    /** SES: ReplacementTemplateData is at most 262,144 characters; a larger send goes out alone. */
    public static final int MAX_REPLACEMENT_DATA = 262_144;
    /** What one call may carry in replacement data: well inside SES's request size limit. */
    public static final long MAX_CALL_DATA = 8L * 1024 * 1024;
    private static final Set<String> PER_RECIPIENT_HEADERS = Set.of(
            io.mailer.schemas.events.SesCorrelation.HEADER_SEND_ID.toLowerCase(Locale.ROOT),
            UnsubscribeHeaders.LIST_UNSUBSCRIBE.toLowerCase(Locale.ROOT),
            UnsubscribeHeaders.LIST_UNSUBSCRIBE_POST.toLowerCase(Locale.ROOT));

    /** One destination of a bulk call; {@code dataLength} counts toward {@link #MAX_CALL_DATA}. */
    public record Entry(BulkEmailEntry entry, int dataLength) {
    }

    private final SesEmailFactory emails;

    public SesBulkEmailFactory(SesEmailFactory emails) {
        this.emails = emails;
    }

    /** The entry of one send, or null when its rendered message is too large for a bulk entry. */
    public Entry entry(SendRequest send, RenderedMessage rendered) {
        String data = replacementData(rendered);
        if (data.length() > MAX_REPLACEMENT_DATA) {
            return null;
        }
        BulkEmailEntry entry = BulkEmailEntry.builder()
                .destination(d -> d.toAddresses(send.email()))
                .replacementEmailContent(ReplacementEmailContent.builder()
                        .replacementTemplate(ReplacementTemplate.builder().replacementTemplateData(data).build())
                        .build())
                .replacementHeaders(headers(send, true))
                .replacementTags(SesEmailFactory.tags(send))
                .build();
        return new Entry(entry, data.length());
    }

    /**
     * The call for {@code entries}, all of the same batch as {@code first} (same From, Reply-To,
     * headers, and the same parts present).
     */
    public SendBulkEmailRequest request(SendRequest first, RenderedMessage firstRendered, List<BulkEmailEntry> entries) {
        EmailTemplateContent.Builder content = EmailTemplateContent.builder().subject("{{subject}}");
        if (firstRendered.html() != null) {
            content.html("{{html}}");
        }
        if (firstRendered.text() != null) {
            content.text("{{text}}");
        }
        Template template = Template.builder()
                .templateContent(content.build())
                .templateData("{}")
                .headers(headers(first, false))
                .build();
        SendBulkEmailRequest.Builder request = SendBulkEmailRequest.builder()
                .fromEmailAddress(emails.from(first))
                .defaultContent(BulkEmailContent.builder().template(template).build())
                .bulkEmailEntries(entries);
        String replyTo = first.message().replyTo();
        if (replyTo != null && !replyTo.isBlank()) {
            request.replyToAddresses(replyTo);
        }
        String set = emails.configurationSet(first);
        if (set != null) {
            request.configurationSetName(set);
        }
        return request.build();
    }

    private List<MessageHeader> headers(SendRequest send, boolean perRecipient) {
        return emails.headers(send).stream()
                .filter(h -> PER_RECIPIENT_HEADERS.contains(h.name().toLowerCase(Locale.ROOT)) == perRecipient)
                .toList();
    }

    /** {"subject": ..., "html": ..., "text": ...}, the parts the message has. */
    static String replacementData(RenderedMessage rendered) {
        StringBuilder json = new StringBuilder(64 + length(rendered.subject()) + length(rendered.html())
                + length(rendered.text()));
        json.append("{\"subject\":");
        quote(json, rendered.subject() == null ? "" : rendered.subject());
        if (rendered.html() != null) {
            json.append(",\"html\":");
            quote(json, rendered.html());
        }
        if (rendered.text() != null) {
            json.append(",\"text\":");
            quote(json, rendered.text());
        }
        return json.append('}').toString();
    }

    private static int length(String s) {
        return s == null ? 0 : s.length();
    }

    /**
     * A JSON string literal (RFC 8259 escaping; everything else as is, the request is UTF-8). Runs that
     * need no escaping are copied at once: about twice as fast as a per-character append (ours before,
     * and Jackson's {@code JsonStringEncoder} alike: 110 against 200–230 µs per 50 KB of html), which
     * was the largest item of the dispatcher's CPU with a 50 KB template.
     */
    static void quote(StringBuilder out, String s) {
        out.append('"');
        int run = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\' && c != '\u2028' && c != '\u2029') {
                continue;
            }
            out.append(s, run, i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(String.format("\\u%04x", (int) c));
            }
            run = i + 1;
        }
        out.append(s, run, s.length());
        out.append('"');
    }
}
