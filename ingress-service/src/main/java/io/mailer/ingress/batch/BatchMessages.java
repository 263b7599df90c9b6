package io.mailer.ingress.batch;

import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.commands.RecipientEntry;
import java.time.Instant;

/**
 * Turns a validated request (JSON body or NDJSON lines) into the command's message and recipients,
 * with addresses in the form SES accepts (Punycode domains, encoded display names: {@link Mailboxes}).
 */
final class BatchMessages {

    private BatchMessages() {
    }

    /** {@code configurationSet}: the tenant policy's SES configuration set, or null. */
    static MessageContent content(SubmitBatchRequest r, String defaultFrom, String configurationSet) {
        String replyTo = blankToNull(r.replyTo());
        return new MessageContent(
                Mailboxes.format(from(r, defaultFrom)),
                replyTo == null ? null : Mailboxes.format(replyTo), r.subject(), blankToNull(r.html()), blankToNull(r.text()),
                r.headers(), r.tags(), r.sendAt(), Boolean.TRUE.equals(r.transactional()), configurationSet);
    }

    /** The From the batch will use: its own, or MAIL_FROM. */
    static String from(SubmitBatchRequest r, String defaultFrom) {
        return blankToNull(r.from()) != null ? r.from().trim() : defaultFrom;
    }

    static RecipientEntry entry(SubmitBatchRequest.Recipient r) {
        return new RecipientEntry(Mailboxes.ascii(r.email().trim()), r.variables(), r.metadata());
    }

    static String status(SubmitBatchRequest r, Instant now) {
        return r.sendAt() != null && r.sendAt().isAfter(now) ? "SCHEDULED" : "ACCEPTED";
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
