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
 * (≈ 3 KB of JSON arrays each at the default 96). {@code commands}: the ids of the last
 * {@value #COMMANDS_KEPT} operator commands applied, so that a command read again after a crash
 * (the guard is at-least-once) is not applied twice (a second RESUME would restart the window again).
 */
public record GuardedTenant(ReputationState state, long version, long sinceMillis, String reason, ReputationPolicy policy,
        Map<String, List<ReputationWindow.Bucket>> parts, List<ReputationWindow.Bucket> baseline, List<String> commands) {

    static final int COMMANDS_KEPT = 16;

    public GuardedTenant {
        parts = parts == null ? Map.of() : parts;
        baseline = baseline == null ? List.of() : baseline;
        commands = commands == null ? List.of() : commands;
    }

    public static GuardedTenant fresh() {
        return new GuardedTenant(ReputationState.ACTIVE, 0, 0, "no events yet", null, Map.of(), List.of(), List.of());
    }

    /** Whether the command was applied already (a replay). */
    public boolean applied(String commandId) {
        return commandId != null && commands.contains(commandId);
    }

    /** This tenant with {@code commandId} remembered as applied (the last {@value #COMMANDS_KEPT}). */
    public GuardedTenant withCommand(String commandId) {
        if (commandId == null) {
            return this;
        }
        java.util.ArrayList<String> kept = new java.util.ArrayList<>(commands);
        kept.add(commandId);
        while (kept.size() > COMMANDS_KEPT) {
            kept.remove(0);
        }
        return new GuardedTenant(state, version, sinceMillis, reason, policy, parts, baseline, List.copyOf(kept));
    }

    public ReputationWindow window() {
        return ReputationWindow.merged(parts.values(), baseline);
    }

    /** The value of {@code reputation-partials-store} (key tenant id): the tenant's window in one partition. */
    public record Partial(List<ReputationWindow.Bucket> buckets) {
    }
}
