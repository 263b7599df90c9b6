package io.mailer.ingress.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailer.ingress.web.EmailAddressRule;
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

    private static SubmitBatchRequest withBodies(String subject, String html, String text) {
        return new SubmitBatchRequest("news@example.com", null, subject, html, text, to("a@example.com"), null, null, null, null);
    }

    @Test
    void shouldRefuseAPartialNamingTheFieldAndTheRule() {
        assertThat(problems(withBodies("Hi", "<p>{{> x}}</p>", null))).singleElement().satisfies(p -> {
            assertThat(p.field()).isEqualTo("html");
            assertThat(p.message()).contains("partial");
        });
    }

    @Test
    void shouldRefuseParentsAndDelimiterChangesInEveryTemplateField() {
        assertThat(problems(withBodies("{{< layout}}{{/layout}}", "x", null))).extracting(FieldProblem::field).containsExactly("subject");
        assertThat(problems(withBodies("Hi", null, "{{=<% %>=}}"))).singleElement()
                .satisfies(p -> assertThat(p.message()).contains("delimiters"));
        assertThat(problems(withBodies("Hi", "{{$block}}x{{/block}}", null))).extracting(FieldProblem::field).containsExactly("html");
    }

    @Test
    void shouldRefuseSectionsNestedDeeperThanSixteenButAcceptSixteen() {
        String sixteen = "{{#a}}".repeat(16) + "x" + "{{/a}}".repeat(16);
        String seventeen = "{{#a}}".repeat(17) + "x" + "{{/a}}".repeat(17);
        assertThat(problems(withBodies("Hi", sixteen, null))).isEmpty();
        assertThat(problems(withBodies("Hi", seventeen, null))).singleElement().satisfies(p -> {
            assertThat(p.field()).isEqualTo("html");
            assertThat(p.message()).contains("16");
        });
    }

    @Test
    void shouldLeaveLargeBodiesToTheMessageBudget() {
        // the former 5 MB per-body cap is superseded: 600 kB of html passes validation and fails the budget
        var r = withBodies("Hi", "x".repeat(600_000), null);
        assertThat(problems(r)).isEmpty();
        var message = BatchMessages.content(r, "", null);
        assertThatThrownBy(() -> BatchRequestValidator.checkMessageSize(message)).isInstanceOfSatisfying(ValidationException.class, e -> {
            assertThat(e.status().value()).isEqualTo(413);
            assertThat(e.getMessage()).contains(String.valueOf(io.mailer.schemas.limits.RecordBudget.MAX_MESSAGE_BYTES));
            assertThat(e.errors()).extracting(FieldProblem::field).containsExactly("message");
        });
        assertThatCode(() -> BatchRequestValidator.checkMessageSize(BatchMessages.content(withBodies("Hi", "x".repeat(500_000), null), "", null)))
                .doesNotThrowAnyException();
    }

    @Test
    void shouldNameARecipientOverTheRecipientBudget() {
        var small = new io.mailer.schemas.commands.RecipientEntry("a@example.com", Map.of("n", "x"), Map.of());
        var large = new io.mailer.schemas.commands.RecipientEntry("b@example.com", Map.of("n", "x".repeat(70_000)), Map.of());
        assertThat(BatchRequestValidator.recipientSizes(List.of(small))).containsExactly(BatchRequestValidator.recipientBytes(small));
        assertThatThrownBy(() -> BatchRequestValidator.recipientSizes(List.of(small, large)))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.errors()).singleElement().satisfies(p -> {
                    assertThat(p.field()).isEqualTo("recipients[1]");
                    assertThat(p.message()).contains("65536 bytes");
                }));
    }

    private List<FieldProblem> headerProblems(String name, String value) {
        var headers = new java.util.HashMap<String, String>();
        headers.put(name, value);
        return problems(new SubmitBatchRequest("a@example.com", null, "Hi", "x", null, to("b@example.com"), null, headers, null, null));
    }

    @Test
    void shouldRefuseHeaderValuesSesWouldReject() {
        assertThat(headerProblems("X-Empty", "")).containsExactly(new FieldProblem("headers.X-Empty", "must not be empty"));
        assertThat(headerProblems("X-Null", null)).extracting(FieldProblem::field).containsExactly("headers.X-Null");
        assertThat(headerProblems("X-Long", "v".repeat(871))).singleElement().satisfies(p -> assertThat(p.message()).contains("870"));
        assertThat(headerProblems("X-Max", "v".repeat(870))).isEmpty();
        assertThat(headerProblems("X-Lf", "a\nb")).singleElement().satisfies(p -> assertThat(p.message()).contains("CR/LF"));
        assertThat(headerProblems("X-Utf8", "café")).singleElement().satisfies(p -> assertThat(p.message()).contains("ASCII"));
        assertThat(headerProblems("X-Ctl", "a\u0000b")).extracting(FieldProblem::field).containsExactly("headers.X-Ctl");
        assertThat(headerProblems("X-Encoded", "=?UTF-8?B?Y2Fmw6k=?=")).isEmpty();
        assertThat(headerProblems("X-Ünicode", "v")).singleElement().satisfies(p -> assertThat(p.message()).contains("header name"));
    }

    @Test
    void shouldRefuseNonAsciiLocalPartsThatSesCannotSendButAcceptIdnDomains() {
        assertThat(problems(request("Hi", to("jürgen@example.com")))).singleElement().satisfies(p -> {
            assertThat(p.field()).isEqualTo("recipients[0].email");
            assertThat(p.message()).contains("SMTPUTF8");
        });
        assertThat(BatchRequestValidator.recipientProblem(new SubmitBatchRequest.Recipient("jürgen@example.com", null, null)))
                .contains("non-ASCII local part");
        var from = new SubmitBatchRequest("Jürgen <jürgen@example.com>", null, "Hi", "x", null, to("a@bücher.de"), null, null, null, null);
        assertThat(problems(from)).extracting(FieldProblem::field).containsExactly("from");
        var idn = new SubmitBatchRequest("Jürgen Müller <news@bücher.de>", "Hilfe <help@bücher.de>", "Hi", "x", null,
                to("a@bücher.de"), null, null, null, null);
        assertThat(problems(idn)).isEmpty();
    }

    @Test
    void shouldRefuseControlCharactersInADisplayName() {
        var r = new SubmitBatchRequest("Ne\u0007ws <news@example.com>", null, "Hi", "x", null, to("a@example.com"), null, null, null, null);
        assertThat(problems(r)).singleElement().satisfies(p -> assertThat(p.message()).contains("control"));
    }
}
