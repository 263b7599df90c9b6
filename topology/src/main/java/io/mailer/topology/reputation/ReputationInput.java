package io.mailer.topology.reputation;

import io.mailer.schemas.reputation.TenantCommand;
import java.util.List;

/**
 * What flows through the guard. Before the counter: one counted delivery event (its id, kind and
 * time). Across the repartition by tenant: a tenant's <em>partial window</em> from one input
 * partition ({@code partition}, {@code buckets}: the whole partial, not a delta, so the latest one
 * wins and none can be double-counted) or an operator's command.
 */
public record ReputationInput(String tenantId, String eventId, ReputationWindow.Kind kind, long atMillis,
        TenantCommand command, Integer partition, List<ReputationWindow.Bucket> buckets) {

    /** The input a delivery event counts as, or null when it does not count (other types, no tenant). */
    static ReputationInput of(CountedEvent e, long recordTimestamp) {
        if (e == null || e.tenantId() == null || e.eventId() == null || e.type() == null) {
            return null;
        }
        ReputationWindow.Kind kind = switch (e.type()) {
            case SENT -> ReputationWindow.Kind.SEND;
            // the feedback service maps only permanent bounces to BOUNCED (transient: SOFT_BOUNCED)
            case BOUNCED -> ReputationWindow.Kind.HARD_BOUNCE;
            case DELIVERED -> ReputationWindow.Kind.DELIVERY;
            case COMPLAINED -> ReputationWindow.Kind.COMPLAINT;
            default -> null;
        };
        return kind == null ? null : new ReputationInput(e.tenantId(), e.eventId(), kind, recordTimestamp, null, null, null);
    }

    public static ReputationInput of(TenantCommand c, long recordTimestamp) {
        return c == null || c.tenantId() == null || c.type() == null ? null
                : new ReputationInput(c.tenantId(), null, null, recordTimestamp, c, null, null);
    }

    public static ReputationInput partial(String tenantId, int partition, List<ReputationWindow.Bucket> buckets, long at) {
        return new ReputationInput(tenantId, null, null, at, null, partition, buckets);
    }
}
