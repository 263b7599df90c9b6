package io.mailer.ingress.batch;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.MustacheException;
import io.mailer.ingress.web.EmailAddressRule;
import io.mailer.ingress.web.Problems.FieldProblem;
import io.mailer.ingress.web.ValidationException;
import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.commands.RecipientEntry;
import io.mailer.schemas.limits.RecordBudget;
import io.mailer.schemas.limits.TemplateRules;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpStatus;

/**
 * Checks a submission before anything reaches Kafka and reports every problem with the field it
 * concerns. Templates are compiled here so a syntax error is a 400, not a million FAILED sends;
 * what SES or the renderer would refuse later (TemplateRules, header values, non-ASCII local parts)
 * is refused here too. Sizes are checked on the JSON that goes on Kafka ({@link RecordBudget}).
 */
class BatchRequestValidator {

    static final int MAX_SUBJECT = 998; // RFC 5322 line limit
    /** SES's limit for a custom header value (MessageHeader.Value, 1–870 characters). */
    static final int MAX_HEADER_VALUE = 870;
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
        return recipient == null ? "must be an object" : addressProblem(recipient.email());
    }

    private static String addressProblem(String address) {
        String problem = EmailAddressRule.problem(address);
        return problem != null ? problem : Mailboxes.addressProblem(address.trim());
    }

    /** 413 naming the budget when the message, as it goes on Kafka, is over {@link RecordBudget#MAX_MESSAGE_BYTES}. */
    public static void checkMessageSize(MessageContent message) {
        int bytes = RecordSizes.jsonBytes(message);
        if (bytes > RecordBudget.MAX_MESSAGE_BYTES) {
            String problem = "is " + bytes + " bytes as JSON (subject, html, text, headers, tags, from, replyTo); the limit is "
                    + RecordBudget.MAX_MESSAGE_BYTES + " bytes";
            throw new ValidationException(HttpStatus.CONTENT_TOO_LARGE, "payload-too-large", "The message " + problem + ".",
                    List.of(new FieldProblem("message", problem)));
        }
    }

    /** The JSON size of one recipient as it goes on Kafka. */
    static int recipientBytes(RecipientEntry recipient) {
        return RecordSizes.jsonBytes(recipient);
    }

    /** Null, or why a recipient of this JSON size is refused. */
    static String recipientSizeProblem(int bytes) {
        return bytes <= RecordBudget.MAX_RECIPIENT_BYTES ? null : "is " + bytes
                + " bytes as JSON (email, variables, metadata); the limit is " + RecordBudget.MAX_RECIPIENT_BYTES + " bytes";
    }

    /** Each recipient's JSON size (the chunk writer needs them); 400 naming {@code recipients[i]} beyond the budget. */
    public static int[] recipientSizes(List<RecipientEntry> recipients) {
        int[] sizes = new int[recipients.size()];
        List<FieldProblem> errors = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = recipientBytes(recipients.get(i));
            String problem = recipientSizeProblem(sizes[i]);
            if (problem != null && errors.size() < 20) {
                errors.add(new FieldProblem("recipients[" + i + "]", problem));
            }
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        return sizes;
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
            String problem = addressProblem(rec.email());
            if (problem != null) {
                errors.add(new FieldProblem("recipients[" + i + "].email", problem));
                reported++;
            }
        }
    }

    private static void mailbox(String field, String value, List<FieldProblem> errors) {
        String v = value.trim();
        if (v.indexOf('\r') >= 0 || v.indexOf('\n') >= 0) {
            errors.add(new FieldProblem(field, "must not contain line breaks"));
            return;
        }
        Mailboxes.Mailbox mailbox = Mailboxes.parse(v);
        String problem = addressProblem(mailbox.address());
        if (problem == null && mailbox.displayName() != null) {
            problem = Mailboxes.displayNameProblem(mailbox.displayName());
        }
        if (problem != null) {
            errors.add(new FieldProblem(field, problem));
        }
    }

    /** Size is the message budget's business (checked on the encoded message), not a per-field cap. */
    private static void body(String field, String value, List<FieldProblem> errors) {
        if (value != null) {
            template(field, value, errors);
        }
    }

    private static void template(String field, String value, List<FieldProblem> errors) {
        var violation = TemplateRules.violation(value);
        if (violation.isPresent()) {
            errors.add(new FieldProblem(field, violation.get()));
            return;
        }
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
            } else {
                String problem = headerValueProblem(value);
                if (problem != null) {
                    errors.add(new FieldProblem(field, problem));
                }
            }
        });
    }

    /**
     * SES refuses empty values, values over 870 characters and raw non-ASCII; refusing here (rather
     * than encoding) keeps structured headers intact: a client encodes text as RFC 2047 words itself.
     */
    static String headerValueProblem(String value) {
        if (value == null || value.isBlank()) {
            return "must not be empty";
        }
        if (value.length() > MAX_HEADER_VALUE) {
            return "is longer than " + MAX_HEADER_VALUE + " characters (the SES limit)";
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n') {
                return "must be a single line (no CR/LF)";
            }
            if ((c < 0x20 && c != '\t') || c >= 0x7f) {
                return "must be printable ASCII (encode other text as RFC 2047 encoded-words)";
            }
        }
        return null;
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
