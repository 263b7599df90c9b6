package io.mailer.feedback.intake.ses;

import java.time.Instant;

/**
 * The last correlation fallback: the send an SES message id belongs to, as recorded by the
 * dispatcher's SENT event (projected into {@code recipient.ses_message_id}). Used only when the
 * notification carries neither the EmailTags nor the X-Mailer-* headers.
 */
@FunctionalInterface
public interface SendLookup {

    /** No fallback: untagged notifications are unmappable. */
    SendLookup NONE = (sesMessageId, mailTimestamp) -> Result.NOT_FOUND;

    /**
     * @param mailTimestamp when SES accepted the message, null if the payload has none; lets an
     *                      implementation tell "not projected yet" from "not Mailer's"
     */
    Result bySesMessageId(String sesMessageId, Instant mailTimestamp);

    /** What the lookup found. */
    sealed interface Result {

        Result NOT_FOUND = new NotFound();

        record Found(Correlation correlation) implements Result {
        }

        /** No record yet, but the SENT event may still be on its way through the projector. */
        record Pending(String why) implements Result {
        }

        /** No record, and none is coming: not Mailer's mail. */
        record NotFound() implements Result {
        }
    }
}
