package io.mailer.ingress.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BoundedLineReaderTest {

    private static List<String> lines(String text, int max) throws IOException {
        BoundedLineReader reader = new BoundedLineReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), max);
        List<String> out = new ArrayList<>();
        while (reader.next()) {
            out.add(reader.lineNumber() + ":" + new String(reader.bytes(), 0, reader.length(), StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void shouldSplitLfAndCrLfLinesAndKeepALastLineWithoutNewline() throws IOException {
        assertThat(lines("a\r\nbé\n\nlast", 100)).containsExactly("1:a", "2:bé", "3:", "4:last");
        assertThat(lines("", 100)).isEmpty();
        assertThat(lines("x\n", 100)).containsExactly("1:x");
    }

    @Test
    void shouldSplitLinesLongerThanItsReadBuffer() throws IOException {
        String big = "y".repeat(200_000);
        assertThat(lines("a\n" + big + "\nb", 300_000)).containsExactly("1:a", "2:" + big, "3:b");
    }

    @Test
    void shouldRefuseALineLongerThanTheLimitNamingItsNumber() throws IOException {
        BoundedLineReader reader = new BoundedLineReader(new ByteArrayInputStream("ok\n0123456789\n".getBytes(StandardCharsets.UTF_8)), 5);
        assertThat(reader.next()).isTrue();
        assertThatThrownBy(reader::next).isInstanceOf(BoundedLineReader.LineTooLongException.class).hasMessageContaining("5 bytes");
        assertThat(reader.lineNumber()).isEqualTo(2);
    }
}
