package io.mailer.ingress.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.schemas.commands.MessageContent;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Addresses leave ingress in the form SES accepts: Punycode domains, RFC 2047 display names. */
class MailboxesTest {

    private static final Pattern WORD = Pattern.compile("=\\?UTF-8\\?B\\?([A-Za-z0-9+/=]*)\\?=");

    /** Decodes adjacent B encoded-words (the whitespace between them is dropped, RFC 2047 section 6.2). */
    private static String decode(String encoded) {
        Matcher m = WORD.matcher(encoded);
        StringBuilder out = new StringBuilder();
        int end = 0;
        while (m.find()) {
            assertThat(encoded.substring(end, m.start()).trim()).as("only whitespace between words").isEmpty();
            assertThat(m.group().length()).as("encoded-word length").isLessThanOrEqualTo(75);
            out.append(new String(Base64.getDecoder().decode(m.group(1)), StandardCharsets.UTF_8));
            end = m.end();
        }
        assertThat(end).isEqualTo(encoded.length());
        return out.toString();
    }

    @Test
    void shouldConvertIdnDomainsToPunycode() {
        assertThat(Mailboxes.ascii("user@bücher.de")).isEqualTo("user@xn--bcher-kva.de");
        assertThat(Mailboxes.ascii("e@exämple.com")).isEqualTo("e@xn--exmple-cua.com");
        assertThat(Mailboxes.ascii("plain@example.com")).isEqualTo("plain@example.com");
        assertThat(Mailboxes.format("news@bücher.de")).isEqualTo("news@xn--bcher-kva.de");
    }

    @Test
    void shouldEncodeNonAsciiDisplayNamesAsRfc2047Words() {
        String formatted = Mailboxes.format("Jürgen Müller <news@bücher.de>");
        assertThat(formatted).startsWith("=?UTF-8?B?").endsWith(" <news@xn--bcher-kva.de>");
        assertThat(decode(formatted.substring(0, formatted.indexOf(" <")))).isEqualTo("Jürgen Müller");
        assertThat(Mailboxes.format("\"Zoë\" <zoe@example.com>")).isEqualTo("=?UTF-8?B?Wm/Dqw==?= <zoe@example.com>");
    }

    @Test
    void shouldSplitLongNamesIntoWordsWithoutCuttingACharacter() {
        String name = "日本語のニュースレター🎉".repeat(6);
        String encoded = Mailboxes.encodedWords(name);
        assertThat(encoded.split(" ")).hasSizeGreaterThan(1);
        assertThat(decode(encoded)).isEqualTo(name);
    }

    @Test
    void shouldQuoteAsciiNamesWithSpecialsAndLeavePlainNamesAlone() {
        assertThat(Mailboxes.format("Doe, John <j@example.com>")).isEqualTo("\"Doe, John\" <j@example.com>");
        assertThat(Mailboxes.format("\"Doe, John\" <j@example.com>")).isEqualTo("\"Doe, John\" <j@example.com>");
        assertThat(Mailboxes.format("Say \"hi\" <j@example.com>")).isEqualTo("\"Say \\\"hi\\\"\" <j@example.com>");
        assertThat(Mailboxes.format("Mailer News <news@example.com>")).isEqualTo("Mailer News <news@example.com>");
        assertThat(Mailboxes.format("<news@example.com>")).isEqualTo("news@example.com");
    }

    @Test
    void shouldPutEveryAddressOfABatchInSesFormBeforeKafka() {
        var request = new SubmitBatchRequest("Zoë <zoe@bücher.de>", "help@bücher.de", "s", null, "t",
                List.of(new SubmitBatchRequest.Recipient(" a@exämple.com ", Map.of(), Map.of())), null, null, null, null);

        MessageContent message = BatchMessages.content(request, "", "cs-1");

        assertThat(message.from()).isEqualTo("=?UTF-8?B?Wm/Dqw==?= <zoe@xn--bcher-kva.de>");
        assertThat(message.replyTo()).isEqualTo("help@xn--bcher-kva.de");
        assertThat(message.configurationSet()).isEqualTo("cs-1");
        assertThat(BatchMessages.entry(request.recipients().get(0)).email()).isEqualTo("a@xn--exmple-cua.com");
        assertThat(BatchMessages.content(new SubmitBatchRequest(null, null, "s", null, "t", List.of(), null, null, null, null),
                "Ops <ops@bücher.de>", null).from()).isEqualTo("Ops <ops@xn--bcher-kva.de>");
    }
}
