package io.mailer.schemas.reputation;

import java.time.Instant;

/**
 * A record of the {@code tenant-commands} topic, keyed by tenant id: an operator's instruction to
 * the reputation processor. RESUME ends a pause (or throttle) and starts the tenant's window afresh;
 * SET_POLICY replaces the tenant's thresholds ({@code policy} null = back to the defaults).
 */
public record TenantCommand(String commandId, String tenantId, Type type, ReputationPolicy policy, String requestedBy,
        Instant requestedAt) {

    public enum Type {
        RESUME, SET_POLICY
    }
}
