package io.mailer.ingress.batch;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.MustacheException;
import io.mailer.ingress.web.Problems.FieldProblem;
import io.mailer.ingress.web.ValidationException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Checks a submission before anything reaches Kafka and reports every problem with the field it
 * concerns. Templates are compiled here so a syntax error is a 400, not a million FAILED sends.
 */
public class BatchRequestValidator {

    static final int MAX_SUBJECT = 998; // RFC 5322 line limit
    static final int MAX_BODY = 5 * 1024 * 1024;
    static final int MAX_HEADERS = 10; // SES allows 15; Mailer adds its own (send id, List-Unsubscribe...)
    static final Duration MAX_SCHEDULE = Duration.ofDays(30);
    /** Headers Mailer owns or SES sets; a batch may not override them. */
    private static final Set<String> RESERVED_HEADERS = Set.of("from", "to", "cc", "bcc", "subject", "reply-to",
            "sender", "return-path", "message-id", "date", "content-type", "content-transfer-encoding",
            "mime-version", "list-unsubscribe", "list-unsubscribe-post", "x-mailer-send-id");

    private final int maxRecipients;
    private final boolean hasDefaultFrom;

    public BatchRequestValidator(int maxRecipients, boolean hasDefaultFrom) {
        this.maxRecipients = maxRecipients;
        this.hasDefaultFrom = hasDefaultFrom;
    }

    public void validate(SubmitBatchRequest r, Instant now) {
        List<FieldProblem> errors = messageProblems(r, now);
        recipients(r.recipients(), errors);
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
    }

    /** The message line of an NDJSON batch: everything but the recipients (they follow, one per line). */
    public void validateMessage(SubmitBatchRequest r, Instant now) {
        List<FieldProblem> errors = messageProblems(r, now);
        if (r.recipients() != null && !r.recipients().isEmpty()) {
            errors.add(new FieldProblem("recipients", "must not be on the message line: send one recipient per line after it"));
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
    }

    private List<FieldProblem> messageProblems(SubmitBatchRequest r, Instant now) {
        List<FieldProblem> errors = new ArrayList<>();
        if (r.from() == null || r.from().isBlank()) {
            if (!hasDefaultFrom) {
                errors.add(new FieldProblem("from", "is required (no MAIL_FROM default is configured)"));
            }
        } else {
            mailbox("from", r.from(), errors);
        }
        if (r.replyTo() != null && !r.replyTo().isBlank()) {
            mailbox("replyTo", r.replyTo(), errors);
        }
        if (r.subject() == null || r.subject().isBlank()) {
            errors.add(new FieldProblem("subject", "is required"));
        } else if (r.subject().length() > MAX_SUBJECT) {
            errors.add(new FieldProblem("subject", "is longer than " + MAX_SUBJECT + " characters"));
        } else if (r.subject().indexOf('\r') >= 0 || r.subject().indexOf('\n') >= 0) {
            errors.add(new FieldProblem("subject", "must not contain line breaks"));
        } else {
            template("subject", r.subject(), errors);
        }
        boolean noHtml = r.html() == null || r.html().isBlank();
        boolean noText = r.text() == null || r.text().isBlank();
        if (noHtml && noText) {
            errors.add(new FieldProblem("html", "or text is required"));
        }
        body("html", r.html(), errors);
        body("text", r.text(), errors);
        headers(r.headers(), errors);
        tags(r.tags(), errors);
        if (r.sendAt() != null && r.sendAt().isAfter(now.plus(MAX_SCHEDULE))) {
            errors.add(new FieldProblem("sendAt", "is more than 30 days ahead"));
        }
        return errors;
    }

    /** What is wrong with one recipient's address, or null. */
    public static String recipientProblem(SubmitBatchRequest.Recipient recipient) {
        return recipient == null ? "must be an object" : EmailAddressRule.problem(recipient.email());
    }

    private void recipients(List<SubmitBatchRequest.Recipient> recipients, List<FieldProblem> errors) {
        if (recipients == null || recipients.isEmpty()) {
            errors.add(new FieldProblem("recipients", "must contain at least one recipient"));
            return;
        }
        if (recipients.size() > maxRecipients) {
            errors.add(new FieldProblem("recipients", "has " + recipients.size() + " entries; the limit is "
                    + maxRecipients + " (use application/x-ndjson for larger batches)"));
            return;
        }
        int reported = 0;
        for (int i = 0; i < recipients.size() && reported < 20; i++) {
            SubmitBatchRequest.Recipient rec = recipients.get(i);
            if (rec == null) {
                errors.add(new FieldProblem("recipients[" + i + "]", "must be an object"));
                reported++;
                continue;
            }
            String problem = EmailAddressRule.problem(rec.email());
            if (problem != null) {
                errors.add(new FieldProblem("recipients[" + i + "].email", problem));
                reported++;
            }
        }
    }

    private static void mailbox(String field, String value, List<FieldProblem> errors) {
        String v = value.trim();
        int lt = v.lastIndexOf('<');
        String address = lt >= 0 && v.endsWith(">") ? v.substring(lt + 1, v.length() - 1) : v;
        if (v.indexOf('\r') >= 0 || v.indexOf('\n') >= 0) {
            errors.add(new FieldProblem(field, "must not contain line breaks"));
            return;
        }
        String problem = EmailAddressRule.problem(address);
        if (problem != null) {
            errors.add(new FieldProblem(field, problem));
        }
    }

    private static void body(String field, String value, List<FieldProblem> errors) {
        if (value == null) {
            return;
        }
        if (value.length() > MAX_BODY) {
            errors.add(new FieldProblem(field, "is larger than " + MAX_BODY + " characters"));
        } else {
            template(field, value, errors);
        }
    }

    private static void template(String field, String value, List<FieldProblem> errors) {
        try {
            Mustache.compiler().compile(value);
        } catch (MustacheException e) {
            errors.add(new FieldProblem(field, "is not a valid Mustache template: " + e.getMessage()));
        }
    }

    private static void headers(Map<String, String> headers, List<FieldProblem> errors) {
        if (headers == null) {
            return;
        }
        if (headers.size() > MAX_HEADERS) {
            errors.add(new FieldProblem("headers", "has more than " + MAX_HEADERS + " entries"));
        }
        headers.forEach((name, value) -> {
            String field = "headers." + name;
            if (!name.matches("[A-Za-z0-9-]{1,64}")) {
                errors.add(new FieldProblem(field, "is not a valid header name"));
            } else if (RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                errors.add(new FieldProblem(field, "is set by Mailer and cannot be overridden"));
            } else if (value == null || value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.length() > 900) {
                errors.add(new FieldProblem(field, "must be a single line of at most 900 characters"));
            }
        });
    }

    private static void tags(Map<String, String> tags, List<FieldProblem> errors) {
        if (tags == null) {
            return;
        }
        if (tags.size() > 10) {
            errors.add(new FieldProblem("tags", "has more than 10 entries"));
        }
        tags.forEach((name, value) -> {
            // SES tag rules: ASCII letters, digits, '_' and '-', at most 256 characters
            if (!name.matches("[A-Za-z0-9_-]{1,64}") || value == null || !value.matches("[A-Za-z0-9_.@-]{0,256}")) {
                errors.add(new FieldProblem("tags." + name, "must use only letters, digits, '_', '-' (SES tag rules)"));
            }
        });
    }
}
