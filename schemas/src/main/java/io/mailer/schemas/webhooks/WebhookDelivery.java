package io.mailer.schemas.webhooks;

import java.time.Instant;

/**
 * A record of {@code webhook-deliveries}, keyed by endpoint id: the state of one message after an
 * attempt (or after it was dropped), projected into the {@code webhook_delivery} table that
 * {@code GET /webhooks/{id}/deliveries} reads. {@code attempts} only grows, so a projector keeps the
 * record with the most attempts. Status {@code ENDPOINT_DISABLED} (messageId = endpoint id + reason)
 * is the event of an endpoint the relay disabled. {@code events} is the number of events the
 * message carried: 1, or the size of a batch (a delivered batch is one record under its batch id;
 * its events that had failed before also get a DELIVERED record each, closing their RETRYING ones).
 */
public record WebhookDelivery(
        String messageId,
        String endpointId,
        String tenantId,
        String eventType,
        Status status,
        int attempts,
        Integer lastStatusCode,
        Long lastLatencyMs,
        String lastError,
        Instant createdAt,
        Instant lastAttemptAt,
        Instant nextAttemptAt,
        int events) {

    public enum Status { DELIVERED, RETRYING, FAILED, DROPPED, ENDPOINT_DISABLED }
}
