package io.mailer.topology.reputation;

import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.reputation.TenantCommand;

/**
 * What the guard reads, repartitioned by tenant: a counted delivery event (its id, kind and time) or
 * an operator's command. Only these few fields cross the repartition topic, not whole events.
 */
public record ReputationInput(String tenantId, String eventId, ReputationWindow.Kind kind, long atMillis,
        TenantCommand command) {

    /** The input a delivery event counts as, or null when it does not count (other types, no tenant). */
    public static ReputationInput of(DeliveryEvent e, long recordTimestamp) {
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
        return kind == null ? null : new ReputationInput(e.tenantId(), e.eventId(), kind, recordTimestamp, null);
    }

    public static ReputationInput of(TenantCommand c, long recordTimestamp) {
        return c == null || c.tenantId() == null || c.type() == null ? null
                : new ReputationInput(c.tenantId(), null, null, recordTimestamp, c);
    }
}
