package io.mailer.dispatcher.ses;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The replacement data's string literals read back, by a JSON parser, as exactly what was quoted. */
class SesBulkEmailFactoryQuoteTest {

    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void shouldQuoteWhatAJsonParserReadsBackUnchanged() {
        String[] samples = {
            "",
            "plain",
            "<p style=\"margin:0\">Hi \\ there</p>",
            "\"at the start and the end\"",
            "lines\nand\r\ntabs\tand\u0000\u0001\u001f controls",
            "separators \u2028 and \u2029",
            "non-Latin: Grüße, 日本語, emoji \uD83D\uDE00",
            "<p>" + "x".repeat(60_000) + "\"</p>",
        };
        for (String sample : samples) {
            StringBuilder out = new StringBuilder();
            SesBulkEmailFactory.quote(out, sample);
            assertThat(json.readValue(out.toString(), String.class)).isEqualTo(sample);
            // control characters and the two separators never appear raw
            assertThat(out.toString()).doesNotContain("\n", "\u0000", "\u2028", "\u2029");
        }
    }

    @Test
    void shouldEscapeOnlyWhatJsonRequires() {
        StringBuilder out = new StringBuilder();
        SesBulkEmailFactory.quote(out, "a\"b\\c\nd\u0001e\u2028f/g");
        assertThat(out).hasToString("\"a\\\"b\\\\c\\nd\\u0001e\\u2028f/g\"");
    }
}
