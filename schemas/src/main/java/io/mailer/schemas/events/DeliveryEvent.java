package io.mailer.schemas.events;

import java.time.Instant;
import java.util.Map;

/**
 * A record of the public {@code delivery-events} topic, keyed by send id.
 *
 * <p>{@code eventId} is deterministic (see {@link Ids}), so every consumer can deduplicate
 * redeliveries. {@code details} carries type-specific fields such as bounce type and diagnostic.
 */
public record DeliveryEvent(
        String eventId,
        EventType type,
        String sendId,
        String batchId,
        String tenantId,
        Integer recipientIndex,
        String email,
        Instant occurredAt,
        String sesMessageId,
        String reason,
        Map<String, String> details) {

    public DeliveryEvent {
        details = details == null ? Map.of() : Map.copyOf(details);
    }

    /** An outcome decided by Mailer itself for one send (suppressed, sent, failed, cancelled). */
    public static DeliveryEvent pipelineOutcome(EventType type, SendRequest send, Instant at,
            String sesMessageId, String reason) {
        return new DeliveryEvent(Ids.pipelineEventId(send.sendId(), type), type, send.sendId(), send.batchId(),
                send.tenantId(), send.recipientIndex(), send.email(), at, sesMessageId, reason, Map.of());
    }
}
