package io.mailer.schemas.webhooks;

import java.time.Instant;

/**
 * One event for one endpoint, as the relay sends it: {@code payload} is the exact JSON object
 * ({@code type}, {@code timestamp}, {@code data}) that is signed and POSTed, so every attempt sends
 * the same bytes under the same {@code messageId} (the {@code webhook-id} header). Records of the
 * {@code webhook-retry-*} tiers, keyed by send id (the key of the event they came from), so they
 * stay on the partition number of their send id and in order with its other events.
 * {@code sequence} is the relay's arrival order (time-based, increasing): of two messages for one
 * endpoint the lower is always sent first. {@code attempt} counts failed attempts so far.
 */
public record WebhookMessage(
        String messageId,
        String endpointId,
        String tenantId,
        String sendId,
        String eventType,
        String payload,
        int attempt,
        long sequence,
        Instant createdAt,
        Instant firstFailedAt) {

    public WebhookMessage failedOnce(Instant at) {
        return new WebhookMessage(messageId, endpointId, tenantId, sendId, eventType, payload, attempt + 1, sequence,
                createdAt, firstFailedAt == null ? at : firstFailedAt);
    }
}
