package io.mailer.dispatcher.send;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Whether the dispatcher may start SES calls now. Closed while SES says the account cannot send
 * (until a deadline, then SES is tried again) and for good once shutdown begins, so waiting retries
 * end as "deferred" (redelivered) instead of holding shutdown up. Readiness reports it.
 */
public final class SendGate {

    private final Clock clock;
    private volatile Instant pausedUntil = Instant.MIN;
    private volatile String pauseReason;
    private volatile boolean shuttingDown;

    public SendGate(Clock clock) {
        this.clock = clock;
    }

    /** Why no call may start now, or empty when calls may start. */
    public Optional<String> closedReason() {
        if (shuttingDown) {
            return Optional.of("shutting-down");
        }
        if (clock.instant().isBefore(pausedUntil)) {
            return Optional.of(pauseReason);
        }
        return Optional.empty();
    }

    public boolean isPaused() {
        return clock.instant().isBefore(pausedUntil);
    }

    public Optional<String> pauseReason() {
        return isPaused() ? Optional.ofNullable(pauseReason) : Optional.empty();
    }

    public Instant pausedUntil() {
        return pausedUntil;
    }

    /** Stops sending for {@code duration}; a pause already running longer is kept. */
    public synchronized void pause(String reason, Duration duration) {
        Instant until = clock.instant().plus(duration);
        if (until.isAfter(pausedUntil)) {
            pausedUntil = until;
            pauseReason = reason;
        }
    }

    /** Ends a pause at once (SES says the account can send again). */
    public synchronized void resume() {
        pausedUntil = Instant.MIN;
        pauseReason = null;
    }

    public void shutDown() {
        shuttingDown = true;
    }

    public boolean isShuttingDown() {
        return shuttingDown;
    }
}
