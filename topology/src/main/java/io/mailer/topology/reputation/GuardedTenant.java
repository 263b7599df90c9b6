package io.mailer.topology.reputation;

import io.mailer.schemas.reputation.ReputationPolicy;
import io.mailer.schemas.reputation.ReputationState;
import java.util.List;

/**
 * The value of {@code reputation-tenants-store} (key tenant id): the tenant's state and window.
 * {@code policy} null = the defaults of {@link ReputationSettings}. Size: at most
 * {@code buckets + 1} buckets of five longs, i.e. ≈ 4 KB as JSON with the default 96 buckets.
 */
public record GuardedTenant(ReputationState state, long version, long sinceMillis, String reason, ReputationPolicy policy,
        List<ReputationWindow.Bucket> buckets) {

    public static GuardedTenant fresh() {
        return new GuardedTenant(ReputationState.ACTIVE, 0, 0, "no events yet", null, List.of());
    }
}
