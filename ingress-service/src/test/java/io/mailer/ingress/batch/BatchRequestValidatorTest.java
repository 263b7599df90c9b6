package io.mailer.ingress.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailer.ingress.web.Problems.FieldProblem;
import io.mailer.ingress.web.ValidationException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BatchRequestValidatorTest {

    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
    private final BatchRequestValidator validator = new BatchRequestValidator(3, false);

    private static SubmitBatchRequest request(String subject, List<SubmitBatchRequest.Recipient> recipients) {
        return new SubmitBatchRequest("News <news@example.com>", null, subject, "<p>Hi {{name}}</p>", null,
                recipients, null, null, null, null);
    }

    private static List<SubmitBatchRequest.Recipient> to(String... emails) {
        return java.util.Arrays.stream(emails).map(e -> new SubmitBatchRequest.Recipient(e, Map.of(), Map.of())).toList();
    }

    private List<FieldProblem> problems(SubmitBatchRequest r) {
        try {
            validator.validate(r, NOW);
            return List.of();
        } catch (ValidationException e) {
            return e.errors();
        }
    }

    @Test
    void shouldAcceptAWellFormedBatch() {
        assertThatCode(() -> validator.validate(request("Hello {{name}}", to("a@example.com", "b@bücher.de")), NOW))
                .doesNotThrowAnyException();
    }

    @Test
    void shouldNameMissingSubject() {
        assertThat(problems(request(" ", to("a@example.com")))).containsExactly(new FieldProblem("subject", "is required"));
    }

    @Test
    void shouldNameTheInvalidRecipientByIndex() {
        assertThat(problems(request("Hi", to("a@example.com", "not-an-address"))))
                .containsExactly(new FieldProblem("recipients[1].email", "is not a valid email address"));
    }

    @Test
    void shouldRejectEmptyRecipients() {
        assertThat(problems(request("Hi", List.of())))
                .containsExactly(new FieldProblem("recipients", "must contain at least one recipient"));
    }

    @Test
    void shouldRejectMoreRecipientsThanTheLimit() {
        assertThat(problems(request("Hi", to("a@x.io", "b@x.io", "c@x.io", "d@x.io"))))
                .extracting(FieldProblem::field).containsExactly("recipients");
    }

    @Test
    void shouldRejectBrokenTemplate() {
        assertThat(problems(request("Hi {{#name}}", to("a@example.com")))).extracting(FieldProblem::field).containsExactly("subject");
    }

    @Test
    void shouldRejectHeaderInjectionAndReservedHeaders() {
        var r = new SubmitBatchRequest("a@example.com", null, "Hi", "x", null, to("b@example.com"), null,
                Map.of("X-Ok", "fine", "X-Bad", "a\r\nBcc: victim@example.com", "From", "evil@example.com"), null, null);
        assertThat(problems(r)).extracting(FieldProblem::field).containsExactlyInAnyOrder("headers.X-Bad", "headers.From");
    }

    @Test
    void shouldRejectScheduleBeyondThirtyDays() {
        var r = new SubmitBatchRequest("a@example.com", null, "Hi", "x", null, to("b@example.com"), null, null,
                NOW.plus(Duration.ofDays(31)), null);
        assertThat(problems(r)).containsExactly(new FieldProblem("sendAt", "is more than 30 days ahead"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a@b", "@example.com", "a@@example.com", "a b@example.com", "a@exa_mple.com", ".a@example.com",
            "a..b@example.com", "Name <a@example.com>"})
    void shouldRejectMalformedAddresses(String address) {
        assertThat(EmailAddressRule.problem(address)).isNotNull();
    }

    @Test
    void shouldEnforceRfc5321Lengths() {
        String local65 = "a".repeat(65);
        assertThat(EmailAddressRule.problem(local65 + "@example.com")).contains("64");
        assertThat(EmailAddressRule.problem("a@" + "b".repeat(250) + ".com")).contains("254");
    }

    @Test
    void shouldRequireFromWhenNoDefaultIsConfigured() {
        var r = new SubmitBatchRequest(null, null, "Hi", "x", null, to("b@example.com"), null, null, null, null);
        assertThatThrownBy(() -> validator.validate(r, NOW)).hasMessageContaining("from");
        assertThatCode(() -> new BatchRequestValidator(3, true).validate(r, NOW)).doesNotThrowAnyException();
    }
}
