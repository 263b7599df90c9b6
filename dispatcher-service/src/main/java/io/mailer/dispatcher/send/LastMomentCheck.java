package io.mailer.dispatcher.send;

import java.util.Optional;
import java.util.function.Predicate;

/**
 * What may have changed while sends waited for their slot and rate turn, checked just before the SES
 * call: the gate (paused account, shutdown), a cancel of their batch, a pause of their tenant. This is
 * the last moment before SES, so a cancel or pause stops what was already fetched, prepared and queued.
 */
final class LastMomentCheck {

    private final SendGate gate;
    private final Predicate<String> cancelled;
    private final Predicate<String> tenantPaused;

    LastMomentCheck(SendGate gate, Predicate<String> cancelled, Predicate<String> tenantPaused) {
        this.gate = gate;
        this.cancelled = cancelled;
        this.tenantPaused = tenantPaused;
    }

    /** Why the call must not be made now, or empty when it may. */
    Optional<CallResult> refusal(String batchId, String tenantId) {
        Optional<String> closed = gate.closedReason();
        if (closed.isPresent()) {
            return Optional.of(new CallResult.Skipped(closed.get()));
        }
        if (cancelled.test(batchId)) {
            return Optional.of(new CallResult.Withdrawn());
        }
        if (tenantPaused.test(tenantId)) {
            // the reputation guard paused the tenant while the sends waited: held, not sent
            return Optional.of(new CallResult.Held("tenant-paused"));
        }
        return Optional.empty();
    }
}
