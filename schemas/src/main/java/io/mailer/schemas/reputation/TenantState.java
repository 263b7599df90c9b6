package io.mailer.schemas.reputation;

import java.time.Instant;

/**
 * A record of the compacted {@code tenant-states} topic, keyed by tenant id: the tenant's current
 * state under the reputation guard, written by the topology's reputation processor on every state
 * change and at most once per second while its rates move. The dispatcher holds or throttles by
 * it; ingress serves it at {@code /api/v1/admin/tenants} (and sums the windows for the account).
 *
 * @param version increases with every state change of the tenant (not with rate refreshes)
 * @param since when the current state began
 * @param reason why the tenant is in this state (e.g. {@code bounce-rate 0.0712 >= 0.05 over 1204 sends})
 */
public record TenantState(String tenantId, ReputationState state, long version, Instant since, String reason,
        double bounceRate, double complaintRate, WindowCounts window, ReputationPolicy policy, Instant updatedAt) {

    public boolean paused() {
        return state == ReputationState.PAUSED;
    }
}
