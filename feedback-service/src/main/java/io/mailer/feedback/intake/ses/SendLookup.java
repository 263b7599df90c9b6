package io.mailer.feedback.intake.ses;

import java.time.Instant;
import java.util.Optional;

/**
 * The last correlation fallback: the send an SES message id belongs to, as recorded by the
 * dispatcher's SENT event (projected into {@code recipient.ses_message_id}). Used only when the
 * notification carries neither the EmailTags nor the X-Mailer-* headers.
 */
@FunctionalInterface
public interface SendLookup {

    /** No fallback: untagged notifications are unmappable. */
    SendLookup NONE = (sesMessageId, mailTimestamp) -> Optional.empty();

    /**
     * @param mailTimestamp when SES accepted the message; lets an implementation tell "not
     *                      projected yet" from "not Mailer's"
     * @throws CorrelationPendingException when the mapping may still appear (the message is then
     *                                     left in SQS and retried)
     */
    Optional<Correlation> bySesMessageId(String sesMessageId, Instant mailTimestamp);

    /** The SENT event may simply not be projected yet: retry the SQS message later. */
    final class CorrelationPendingException extends RuntimeException {
        public CorrelationPendingException(String message) {
            super(message);
        }
    }
}
