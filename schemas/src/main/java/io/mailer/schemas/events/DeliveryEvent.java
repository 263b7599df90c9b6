package io.mailer.schemas.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Map;

/**
 * A record of the public {@code delivery-events} topic, keyed by send id.
 *
 * <p>{@code eventId} is deterministic (see {@link Ids}), so every consumer can deduplicate
 * redeliveries. {@code details} carries type-specific fields such as bounce type and diagnostic.
 * {@code tags} are the batch's tags and {@code metadata} the recipient's metadata as submitted, so a
 * consumer can route an event without a lookup; both are left out of the JSON when empty.
 * Events from SES notifications carry the tags (SES returns them) but not the metadata.
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
        Map<String, String> details,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> tags,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> metadata) {

    public DeliveryEvent {
        details = details == null ? Map.of() : Map.copyOf(details);
        tags = tags == null ? Map.of() : Map.copyOf(tags);
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    /** An event without tags or metadata. */
    public DeliveryEvent(String eventId, EventType type, String sendId, String batchId, String tenantId,
            Integer recipientIndex, String email, Instant occurredAt, String sesMessageId, String reason,
            Map<String, String> details) {
        this(eventId, type, sendId, batchId, tenantId, recipientIndex, email, occurredAt, sesMessageId, reason, details,
                Map.of(), Map.of());
    }

    /** An outcome decided by Mailer itself for one send (suppressed, sent, failed, cancelled). */
    public static DeliveryEvent pipelineOutcome(EventType type, SendRequest send, Instant at,
            String sesMessageId, String reason) {
        return pipelineOutcome(type, send, at, sesMessageId, reason, Map.of());
    }

    /** As {@link #pipelineOutcome(EventType, SendRequest, Instant, String, String)}, with details. */
    public static DeliveryEvent pipelineOutcome(EventType type, SendRequest send, Instant at,
            String sesMessageId, String reason, Map<String, String> details) {
        return new DeliveryEvent(Ids.pipelineEventId(send.sendId(), type), type, send.sendId(), send.batchId(),
                send.tenantId(), send.recipientIndex(), send.email(), at, sesMessageId, reason, details,
                send.message() == null ? Map.of() : send.message().tags(), send.metadata());
    }
}
