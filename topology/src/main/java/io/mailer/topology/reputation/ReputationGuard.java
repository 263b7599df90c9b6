package io.mailer.topology.reputation;

import io.mailer.schemas.reputation.ReputationPolicy;
import io.mailer.schemas.reputation.ReputationState;
import io.mailer.schemas.reputation.TenantCommand;
import io.mailer.schemas.reputation.TenantEvent;
import io.mailer.schemas.reputation.TenantState;
import io.mailer.schemas.reputation.WindowCounts;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Second stage, per tenant (its input is keyed by tenant id): takes each partition's partial
 * window from {@link ReputationCounter}, adds them up, applies {@link ReputationRules} and writes the
 * tenant's state — at once when the state changes (with a {@link TenantEvent}), otherwise at most
 * once per {@code publishInterval} (wall clock). Operator commands: RESUME → ACTIVE with the window
 * restarted (what was counted so far becomes the baseline, subtracted); SET_POLICY → the tenant's
 * thresholds (evaluated at once unless PAUSED).
 */
public final class ReputationGuard implements Processor<String, ReputationInput, String, ReputationOutput> {

    private final ReputationSettings settings;
    private final ReputationMetrics metrics;
    private ProcessorContext<String, ReputationOutput> context;
    private KeyValueStore<String, GuardedTenant> tenants;
    /** Tenants whose rates moved since they were last published: at most the tenants of this task. */
    private final Set<String> dirty = new LinkedHashSet<>();

    public ReputationGuard(ReputationSettings settings, ReputationMetrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, ReputationOutput> context) {
        this.context = context;
        metrics.init(context.metrics());
        this.tenants = context.getStateStore(ReputationStores.TENANTS);
        context.schedule(settings.publishInterval(), PunctuationType.WALL_CLOCK_TIME, this::publishDirty);
    }

    @Override
    public void process(Record<String, ReputationInput> record) {
        ReputationInput in = record.value();
        if (in == null || record.key() == null) {
            return;
        }
        String tenant = record.key();
        GuardedTenant current = tenants.get(tenant);
        if (current == null) {
            current = GuardedTenant.fresh();
        }
        if (in.command() != null) {
            command(tenant, current, in.command(), record.timestamp());
            return;
        }
        if (in.partition() == null || in.buckets() == null) {
            return;
        }
        Map<String, List<ReputationWindow.Bucket>> parts = new HashMap<>(current.parts());
        parts.put(Integer.toString(in.partition()), in.buckets());
        GuardedTenant counted = new GuardedTenant(current.state(), current.version(), current.sinceMillis(), current.reason(),
                current.policy(), parts, current.baseline(), current.commands());
        WindowCounts counts = counted.window().counts(record.timestamp(), settings);
        ReputationRules.Decision decision = ReputationRules.decide(counted.state(), counts, policy(counted));
        if (decision == null) {
            tenants.put(tenant, counted);
            dirty.add(tenant);
            return;
        }
        change(tenant, counted, decision.state(), decision.reason(), counts, record.timestamp(), false);
    }

    private void command(String tenant, GuardedTenant applied, TenantCommand c, long at) {
        if (applied.applied(c.commandId())) {
            // read again after a crash (at-least-once): applied already
            metrics.duplicate();
            return;
        }
        GuardedTenant current = applied.withCommand(c.commandId());
        if (c.type() == TenantCommand.Type.RESUME) {
            GuardedTenant restarted = new GuardedTenant(current.state(), current.version(), current.sinceMillis(),
                    current.reason(), current.policy(), current.parts(),
                    ReputationWindow.merged(current.parts().values(), null).buckets(), current.commands());
            change(tenant, restarted, ReputationState.ACTIVE, "resumed by " + (c.requestedBy() == null ? "operator" : c.requestedBy())
                    + " (window restarted)", WindowCounts.EMPTY, at, true);
            return;
        }
        ReputationPolicy policy = c.policy() == null || c.policy().problem() != null ? null : c.policy();
        GuardedTenant updated = new GuardedTenant(current.state(), current.version(), current.sinceMillis(), current.reason(),
                policy, current.parts(), current.baseline(), current.commands());
        WindowCounts counts = updated.window().counts(at, settings);
        ReputationRules.Decision decision = ReputationRules.decide(updated.state(), counts, policy(updated));
        if (decision == null) {
            tenants.put(tenant, updated);
            publish(tenant, updated, at);
        } else {
            change(tenant, updated, decision.state(), decision.reason(), counts, at, false);
        }
    }

    /** A new state: stored, published at once, and announced on {@code tenant-events} (unless nothing changed). */
    private void change(String tenant, GuardedTenant t, ReputationState to, String reason, WindowCounts counts, long at,
            boolean force) {
        if (t.state() == to && !force) {
            tenants.put(tenant, t);
            return;
        }
        GuardedTenant next = new GuardedTenant(to, t.version() + 1, at, reason, t.policy(), t.parts(), t.baseline(), t.commands());
        tenants.put(tenant, next);
        dirty.remove(tenant);
        TenantState state = state(tenant, next, counts, at);
        context.forward(new Record<>(tenant, new ReputationOutput(state, null), at));
        context.forward(new Record<>(tenant, new ReputationOutput(null, new TenantEvent(
                TenantEvent.eventId(tenant, next.version()), tenant, t.state(), to, reason, state.bounceRate(),
                state.complaintRate(), counts, Instant.ofEpochMilli(at))), at));
        metrics.transition(to);
    }

    private void publishDirty(long wallClock) {
        for (String tenant : dirty) {
            GuardedTenant t = tenants.get(tenant);
            if (t != null) {
                publish(tenant, t, wallClock);
            }
        }
        dirty.clear();
    }

    private void publish(String tenant, GuardedTenant t, long at) {
        WindowCounts counts = t.window().counts(at, settings);
        context.forward(new Record<>(tenant, new ReputationOutput(state(tenant, t, counts, at), null), at));
    }

    private TenantState state(String tenant, GuardedTenant t, WindowCounts counts, long at) {
        return new TenantState(tenant, t.state(), t.version(), Instant.ofEpochMilli(t.sinceMillis()), t.reason(),
                counts.bounceRate(), counts.complaintRate(), counts, policy(t), Instant.ofEpochMilli(at));
    }

    private ReputationPolicy policy(GuardedTenant t) {
        return t.policy() == null ? settings.defaults() : t.policy();
    }
}
