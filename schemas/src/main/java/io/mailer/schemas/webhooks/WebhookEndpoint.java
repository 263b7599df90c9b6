package io.mailer.schemas.webhooks;

import java.time.Instant;
import java.util.List;

/**
 * A record of the compacted {@code webhook-endpoints} topic, keyed by endpoint id (tombstone =
 * deleted). Ingress writes it on every management call, the relay when it disables an endpoint;
 * the relay follows the topic to know where to send, and the PostgreSQL table
 * {@code webhook_endpoint} is a view of it. {@code revision} increases with every write, so a
 * view applies a record only when it is newer than what it holds.
 *
 * <p>{@code events}: delivery event types ({@code EventType} names) and
 * {@link #TENANT_STATE_CHANGED} (the reputation guard's {@code tenant-events}); empty = all of them. {@code batchSize} 1 = one event per POST (the
 * Standard Webhooks body), up to 100 = a batch body. The secrets are signing keys: the current one
 * first, a rotated-out one with the time it stops being used. {@link #toString()} never shows them.
 */
public record WebhookEndpoint(
        String id,
        String tenantId,
        String url,
        List<String> events,
        String description,
        boolean enabled,
        String disabledReason,
        Instant disabledAt,
        List<WebhookSecret> secrets,
        int batchSize,
        Instant createdAt,
        Instant updatedAt,
        long revision) {

    /** The {@code events} entry of the tenant's own state changes (ACTIVE, THROTTLED, PAUSED). */
    public static final String TENANT_STATE_CHANGED = "TENANT_STATE_CHANGED";

    public WebhookEndpoint {
        events = events == null ? List.of() : List.copyOf(events);
        secrets = secrets == null ? List.of() : List.copyOf(secrets);
        batchSize = batchSize <= 0 ? 1 : batchSize;
    }

    public boolean wants(String eventType) {
        return events.isEmpty() || events.contains(eventType);
    }

    /** The secrets that sign a request sent at {@code now}: the current one and any not yet expired. */
    public List<WebhookSecret> signingSecrets(Instant now) {
        return secrets.stream().filter(s -> s.expiresAt() == null || s.expiresAt().isAfter(now)).toList();
    }

    public WebhookEndpoint disabled(String reason, Instant at) {
        return new WebhookEndpoint(id, tenantId, url, events, description, false, reason, at, secrets, batchSize,
                createdAt, at, Math.max(revision + 1, at.toEpochMilli() * 1000));
    }

    @Override
    public String toString() {
        return "WebhookEndpoint[id=" + id + ", tenantId=" + tenantId + ", url=" + url + ", events=" + events
                + ", enabled=" + enabled + ", disabledReason=" + disabledReason + ", secrets=" + secrets.size()
                + " (redacted), batchSize=" + batchSize + ", revision=" + revision + "]";
    }
}
