package io.mailer.dispatcher.ses;

import static io.mailer.dispatcher.Fixtures.message;
import static io.mailer.dispatcher.Fixtures.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailer.dispatcher.render.RenderedMessage;
import io.mailer.dispatcher.unsubscribe.UnsubscribeHeaders;
import io.mailer.schemas.unsubscribe.UnsubscribeToken;
import io.mailer.schemas.commands.MessageContent;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sesv2.model.Body;
import software.amazon.awssdk.services.sesv2.model.Content;
import software.amazon.awssdk.services.sesv2.model.EmailContent;
import software.amazon.awssdk.services.sesv2.model.Message;
import software.amazon.awssdk.services.sesv2.model.MessageHeader;
import software.amazon.awssdk.services.sesv2.model.MessageTag;
import software.amazon.awssdk.services.sesv2.model.SendEmailRequest;

class SesEmailFactoryTest {

    private static final RenderedMessage RENDERED = new RenderedMessage("Hi Ann", "<p>Hi</p>", "Hi");

    @Test
    void shouldBuildTheWholeRequest() {
        // Given unsubscribe links, a configuration set and a message with its own From and headers
        UnsubscribeToken tokens = new UnsubscribeToken("k");
        SesEmailFactory factory = new SesEmailFactory("default@example.com", "mailer",
                new UnsubscribeHeaders("https://u.example.com", tokens));
        var send = send("b1", 7, "ann@example.com", Map.of(), message("s", "h", "t"));

        // When
        SendEmailRequest request = factory.build(send, RENDERED);

        // Then
        assertThat(request).isEqualTo(SendEmailRequest.builder()
                .fromEmailAddress("News <news@example.com>")
                .destination(d -> d.toAddresses("ann@example.com"))
                .replyToAddresses("support@example.com")
                .configurationSetName("mailer")
                .emailTags(tag("mailer_send_id", "b1-7"), tag("mailer_batch_id", "b1"), tag("mailer_tenant", "acme"))
                .content(EmailContent.builder().simple(Message.builder()
                        .subject(utf8("Hi Ann"))
                        .body(Body.builder().html(utf8("<p>Hi</p>")).text(utf8("Hi")).build())
                        .headers(header("X-Campaign", "winter"), header("X-Mailer-Send-Id", "b1-7"),
                                header("X-Mailer-Batch-Id", "b1"), header("X-Mailer-Tenant", "acme"),
                                header("List-Unsubscribe", "<https://u.example.com/unsubscribe/"
                                        + tokens.issue("acme", "ann@example.com") + ">"),
                                header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
                        .build()).build())
                .build());
    }

    @Test
    void shouldUseTheTenantsConfigurationSetOverTheDefault() {
        SesEmailFactory factory = new SesEmailFactory("default@example.com", "mailer", null);
        var own = send("b1", 0, "ann@example.com", Map.of(), new MessageContent(null, null, "s", null, "t", Map.of(),
                Map.of(), null, false, "tenant-acme"));
        var none = send("b2", 0, "ann@example.com", Map.of(), message("s", "h", "t"));

        assertThat(factory.build(own, RENDERED).configurationSetName()).isEqualTo("tenant-acme");
        assertThat(factory.build(none, RENDERED).configurationSetName()).isEqualTo("mailer");
    }

    @Test
    void shouldFallBackToMailFromAndOmitWhatIsNotConfigured() {
        SesEmailFactory factory = new SesEmailFactory("default@example.com", null, null);
        var send = send("b1", 0, "ann@example.com", Map.of(),
                new MessageContent(null, null, "s", null, "t", Map.of(), Map.of(), null, false));

        SendEmailRequest request = factory.build(send, new RenderedMessage("s", null, "t"));

        assertThat(request.fromEmailAddress()).isEqualTo("default@example.com");
        assertThat(request.configurationSetName()).isNull();
        assertThat(request.replyToAddresses()).isEmpty();
        assertThat(request.content().simple().body()).isEqualTo(Body.builder().text(utf8("t")).build());
        assertThat(request.content().simple().headers()).containsExactly(header("X-Mailer-Send-Id", "b1-0"),
                header("X-Mailer-Batch-Id", "b1"), header("X-Mailer-Tenant", "acme"));
    }

    @Test
    void shouldKeepOurHeadersAndFillSesFifteenWithTheBatchHeadersInOrder() {
        // Given unsubscribe links (5 headers of ours) and a batch with 14 headers, one named like ours
        UnsubscribeToken tokens = new UnsubscribeToken("k");
        SesEmailFactory factory = new SesEmailFactory(null, null, new UnsubscribeHeaders("https://u.example.com", tokens));
        Map<String, String> batchHeaders = new java.util.LinkedHashMap<>();
        batchHeaders.put("x-mailer-send-id", "forged");
        for (int i = 1; i <= 13; i++) {
            batchHeaders.put("X-Custom-" + i, "v" + i);
        }
        var send = send("b1", 0, "ann@example.com", Map.of(),
                new MessageContent("a@example.com", null, "s", null, "t", batchHeaders, Map.of(), null, false));

        // When
        var headers = factory.build(send, RENDERED).content().simple().headers();

        // Then 15 in all: ten of the batch's headers (never the forged one), then ours, last and intact
        assertThat(headers).hasSize(SesEmailFactory.MAX_HEADERS);
        assertThat(headers.subList(0, 10)).extracting(MessageHeader::name).doesNotHaveDuplicates()
                .allMatch(name -> name.startsWith("X-Custom-"));
        assertThat(headers.subList(10, 15)).extracting(MessageHeader::name).containsExactly("X-Mailer-Send-Id",
                "X-Mailer-Batch-Id", "X-Mailer-Tenant", "List-Unsubscribe", "List-Unsubscribe-Post");
        assertThat(headers.get(10).value()).isEqualTo("b1-0");
    }

    @Test
    void shouldRefuseASendWithoutAnyFromAddress() {
        SesEmailFactory factory = new SesEmailFactory(null, null, null);
        var send = send("b1", 0, "ann@example.com", Map.of(),
                new MessageContent(null, null, "s", null, "t", Map.of(), Map.of(), null, false));

        assertThatThrownBy(() -> factory.build(send, RENDERED)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("MAIL_FROM");
    }

    private static MessageTag tag(String name, String value) {
        return MessageTag.builder().name(name).value(value).build();
    }

    private static MessageHeader header(String name, String value) {
        return MessageHeader.builder().name(name).value(value).build();
    }

    private static Content utf8(String data) {
        return Content.builder().data(data).charset("UTF-8").build();
    }
}
