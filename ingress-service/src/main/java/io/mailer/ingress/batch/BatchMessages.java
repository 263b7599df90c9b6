package io.mailer.ingress.batch;

import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.commands.RecipientEntry;
import java.time.Instant;

/** Turns a validated request (JSON body or NDJSON lines) into the command's message and recipients. */
final class BatchMessages {

    private BatchMessages() {
    }

    static MessageContent content(SubmitBatchRequest r, String defaultFrom) {
        return new MessageContent(
                blankToNull(r.from()) != null ? r.from().trim() : defaultFrom,
                blankToNull(r.replyTo()), r.subject(), blankToNull(r.html()), blankToNull(r.text()),
                r.headers(), r.tags(), r.sendAt(), Boolean.TRUE.equals(r.transactional()));
    }

    static RecipientEntry entry(SubmitBatchRequest.Recipient r) {
        return new RecipientEntry(r.email().trim(), r.variables(), r.metadata());
    }

    static String status(SubmitBatchRequest r, Instant now) {
        return r.sendAt() != null && r.sendAt().isAfter(now) ? "SCHEDULED" : "ACCEPTED";
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
