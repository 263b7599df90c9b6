package io.mailer.schemas.webhooks;

import java.time.Instant;

/**
 * A record of {@code webhook-commands}, keyed by endpoint id: ingress asks the relay to send a
 * test message ({@code TEST}) or to deliver again every event since a time ({@code REPLAY}).
 * {@code commandId} makes the test message's webhook-id.
 */
public record WebhookCommand(Type type, String commandId, String endpointId, String tenantId, Instant since,
        Instant requestedAt) {

    public enum Type { TEST, REPLAY }
}
