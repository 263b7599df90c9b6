package io.mailer.topology.reputation;

import io.mailer.schemas.reputation.ReputationPolicy;
import io.mailer.schemas.reputation.ReputationState;
import java.util.List;
import java.util.Map;

/**
 * The value of {@code reputation-tenants-store} (key tenant id): the tenant's state, its partial
 * windows by input partition ({@code parts}, the latest from each) and the counts it had when its
 * window was last restarted ({@code baseline}, subtracted). {@code policy} null = the defaults of
 * {@link ReputationSettings}. Size: (partitions + 1) × ≤ {@code buckets + 1} buckets of five longs
 * (≈ 3 KB of JSON arrays each at the default 96).
 */
public record GuardedTenant(ReputationState state, long version, long sinceMillis, String reason, ReputationPolicy policy,
        Map<String, List<ReputationWindow.Bucket>> parts, List<ReputationWindow.Bucket> baseline) {

    public GuardedTenant {
        parts = parts == null ? Map.of() : parts;
        baseline = baseline == null ? List.of() : baseline;
    }

    public static GuardedTenant fresh() {
        return new GuardedTenant(ReputationState.ACTIVE, 0, 0, "no events yet", null, Map.of(), List.of());
    }

    public ReputationWindow window() {
        return ReputationWindow.merged(parts.values(), baseline);
    }

    /** The value of {@code reputation-partials-store} (key tenant id): the tenant's window in one partition. */
    public record Partial(List<ReputationWindow.Bucket> buckets) {
    }
}
