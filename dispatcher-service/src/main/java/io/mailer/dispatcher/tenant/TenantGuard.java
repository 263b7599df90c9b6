package io.mailer.dispatcher.tenant;

import io.mailer.schemas.reputation.ReputationState;
import io.mailer.schemas.reputation.TenantState;
import java.time.Duration;
import java.util.Optional;
import java.util.function.DoubleSupplier;
import java.util.function.Function;

/**
 * What the reputation guard's tenant states mean for a send, decided before it is rendered (and,
 * for PAUSED, again just before its SES call): go, hold (the tenant is PAUSED: the send is parked on
 * {@code sends-held}), or throttle (the tenant is THROTTLED and over its slice of the rate: the send
 * comes back through a retry tier at its slot). States are read from the compacted
 * {@code tenant-states} topic, followed with a 50 ms poll: a pause applies to sends prepared
 * within that lag plus Kafka's.
 */
public final class TenantGuard {

    /** Reason of a send deferred because the tenant states written before this replica started are still being read. */
    public static final String CATCHING_UP = "tenant-states-catching-up";

    public sealed interface Verdict {
        record Go() implements Verdict {
        }

        record Hold(String reason) implements Verdict {
        }

        record Throttle(Duration delay) implements Verdict {
        }

        record NotReady() implements Verdict {
        }
    }

    private static final Verdict GO = new Verdict.Go();

    /** No tenant states (tests, or the guard switched off): every send goes. */
    public static final TenantGuard OPEN = new TenantGuard(t -> Optional.empty(), () -> true, new TenantThrottle(), () -> 0);

    private final Function<String, Optional<TenantState>> states;
    private final java.util.function.BooleanSupplier ready;
    private final TenantThrottle throttle;
    private final DoubleSupplier replicaRate;

    public TenantGuard(Function<String, Optional<TenantState>> states, java.util.function.BooleanSupplier ready,
            TenantThrottle throttle, DoubleSupplier replicaRate) {
        this.states = states;
        this.ready = ready;
        this.throttle = throttle;
        this.replicaRate = replicaRate;
    }

    public Verdict check(String tenantId, String sendId) {
        if (!ready.getAsBoolean()) {
            // a replica that just started must not send for a tenant paused before it started
            return new Verdict.NotReady();
        }
        Optional<TenantState> state = tenantId == null ? Optional.empty() : states.apply(tenantId);
        if (state.isEmpty() || state.get().state() == ReputationState.ACTIVE) {
            return GO;
        }
        TenantState s = state.get();
        if (s.state() == ReputationState.PAUSED) {
            return new Verdict.Hold("tenant-paused: " + s.reason());
        }
        double share = (s.policy() == null ? io.mailer.schemas.reputation.ReputationPolicy.DEFAULTS : s.policy()).throttleShare();
        Duration delay = throttle.admit(tenantId, sendId, share * replicaRate.getAsDouble());
        return delay.isZero() ? GO : new Verdict.Throttle(delay);
    }

    /** Whether the tenant is PAUSED now (checked again just before the SES call). */
    public boolean isPaused(String tenantId) {
        return tenantId != null && states.apply(tenantId).map(TenantState::paused).orElse(false);
    }

    public TenantThrottle throttle() {
        return throttle;
    }
}
