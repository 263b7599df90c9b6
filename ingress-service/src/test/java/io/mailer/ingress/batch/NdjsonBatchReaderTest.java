package io.mailer.ingress.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailer.ingress.system.IngressProperties;
import io.mailer.ingress.web.Problems.FieldProblem;
import io.mailer.ingress.web.ValidationException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The NDJSON parser on its own, without Kafka: what it yields and which line each error names. */
class NdjsonBatchReaderTest {

    private static final String MESSAGE = "{\"from\":\"a@example.com\",\"subject\":\"Hi\",\"text\":\"Hi\"}";
    private static final Instant NOW = Instant.parse("2026-12-03T00:00:00Z");

    private final NdjsonBatchReader reader = new NdjsonBatchReader(
            new IngressProperties("", "", 10_000, 1_000, 1_000_000, "", "", 100, 1_000_000),
            JsonMapper.builder().build());

    private NdjsonBatchReader.Lines open(String body) {
        return reader.open(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)), NOW);
    }

    private static List<String> emails(NdjsonBatchReader.Lines lines) {
        List<String> out = new ArrayList<>();
        while (lines.hasNext()) {
            RecipientSource.Sized next = lines.next();
            assertThat(next.bytes()).isEqualTo(BatchRequestValidator.recipientBytes(next.entry()));
            out.add(lines.lineNumber() + ":" + next.entry().email());
        }
        return out;
    }

    private static void failsNaming(ThrowingCallable call, String field, String messagePart) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ValidationException.class, e -> {
            FieldProblem problem = e.errors().get(0);
            assertThat(problem.field()).isEqualTo(field);
            assertThat(problem.message()).contains(messagePart);
        });
    }

    @Test
    void shouldYieldTheMessageThenEachRecipientWithItsLineSkippingBlankLines() throws Exception {
        String body = "\n" + MESSAGE + "\r\n{\"email\":\"x@example.com\"}\n\n  \n{\"email\":\"y@example.com\"}";
        NdjsonBatchReader.Lines lines = open(body);

        assertThat(lines.message().subject()).isEqualTo("Hi");
        assertThat(lines.hasNext()).isTrue();
        assertThat(lines.hasNext()).isTrue(); // does not move on until next()
        assertThat(emails(lines)).containsExactly("3:x@example.com", "6:y@example.com");
        assertThat(lines.hasNext()).isFalse();
        assertThat(lines.hash()).isEqualTo(HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void shouldNameTheLineOfEachMistake() {
        failsNaming(() -> open(""), "line 1", "must be the message object: the body is empty");
        failsNaming(() -> open("\nnot json\n"), "line 2", "is not a JSON message object");
        failsNaming(() -> open(MESSAGE + "\n\n").hasNext(), "line 3", "must be a recipient: the batch has no recipients");

        NdjsonBatchReader.Lines badEmail = open(MESSAGE + "\n{\"email\":\"x@example.com\"}\n{\"email\":\"nope\"}\n");
        badEmail.next();
        failsNaming(badEmail::next, "line 3", "email ");

        NdjsonBatchReader.Lines notJson = open(MESSAGE + "\n[1]\n");
        failsNaming(notJson::next, "line 2", "is not a JSON recipient object");

        String longLine = "{\"email\":\"x@example.com\",\"metadata\":{\"k\":\"" + "v".repeat(NdjsonBatchReader.MAX_RECIPIENT_LINE) + "\"}}";
        NdjsonBatchReader.Lines tooLong = open(MESSAGE + "\n" + longLine + "\n");
        failsNaming(tooLong::hasNext, "line 2", "is longer than " + NdjsonBatchReader.MAX_RECIPIENT_LINE + " bytes");
    }
}
