package io.mailer.schemas.events;

import java.util.OptionalInt;

/**
 * Deterministic identifiers. Every stage derives ids from its input, never from a clock or a
 * random source, so a redelivered record always carries the same id and can be deduplicated.
 */
public final class Ids {

    private Ids() {
    }

    /**
     * Send id: batch id + "-" + recipient index within the batch. Only characters SES allows in
     * EmailTag values (letters, digits, '_', '-'), so the id can ride on the SES message as a tag.
     */
    public static String sendId(String batchId, int recipientIndex) {
        return batchId + "-" + recipientIndex;
    }

    /**
     * The recipient index a send id of {@code batchId} carries ({@link #sendId}'s inverse); empty
     * when the id is not {@code batchId + "-" + a non-negative int}.
     */
    public static OptionalInt recipientIndex(String sendId, String batchId) {
        if (sendId == null || batchId == null || !sendId.startsWith(batchId + "-")) {
            return OptionalInt.empty();
        }
        try {
            int index = Integer.parseInt(sendId.substring(batchId.length() + 1));
            return index >= 0 ? OptionalInt.of(index) : OptionalInt.empty();
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /** Event id of an outcome Mailer decides once per send (at most one of each type). */
    public static String pipelineEventId(String sendId, EventType type) {
        return sendId + ":" + type.name();
    }

    /** Event id of an SES notification: SES message id + event type + recipient. */
    public static String sesEventId(String sesMessageId, String sesEventType, String recipient) {
        return sesMessageId + ":" + sesEventType + ":" + EmailAddresses.normalize(recipient);
    }
}
