package io.mailer.schemas.reputation;

import java.time.Instant;

/**
 * A record of the public {@code tenant-events} topic, keyed by tenant id: one per state change of a
 * tenant (ACTIVE ⇄ THROTTLED → PAUSED → ACTIVE on resume), so webhooks and downstream consumers
 * learn about it. {@code eventId} = tenant id + ":" + state version: deterministic, deduplicable.
 */
public record TenantEvent(String eventId, String tenantId, ReputationState from, ReputationState to, String reason,
        double bounceRate, double complaintRate, WindowCounts window, Instant occurredAt) {

    public static String eventId(String tenantId, long version) {
        return tenantId + ":" + version;
    }
}
