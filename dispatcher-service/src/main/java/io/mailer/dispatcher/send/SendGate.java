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
    /** A pause for Mailer's own setup (IAM, configuration set): only time ends it, not GetAccount. */
    private volatile Instant operatorPausedUntil = Instant.MIN;
    private volatile String operatorReason;
    private volatile boolean shuttingDown;

    public SendGate(Clock clock) {
        this.clock = clock;
    }

    /** Why no call may start now, or empty when calls may start. */
    public Optional<String> closedReason() {
        if (shuttingDown) {
            return Optional.of("shutting-down");
        }
        return pauseReason();
    }

    public boolean isPaused() {
        Instant now = clock.instant();
        return now.isBefore(pausedUntil) || now.isBefore(operatorPausedUntil);
    }

    public Optional<String> pauseReason() {
        Instant now = clock.instant();
        if (now.isBefore(operatorPausedUntil)) {
            return Optional.ofNullable(operatorReason);
        }
        return now.isBefore(pausedUntil) ? Optional.ofNullable(pauseReason) : Optional.empty();
    }

    public Instant pausedUntil() {
        return pausedUntil.isAfter(operatorPausedUntil) ? pausedUntil : operatorPausedUntil;
    }

    /** Stops sending for {@code duration} because Mailer's setup refuses sends; {@link #resume} keeps it. */
    public synchronized void pauseForOperator(String reason, Duration duration) {
        Instant until = clock.instant().plus(duration);
        if (until.isAfter(operatorPausedUntil)) {
            operatorPausedUntil = until;
            operatorReason = reason;
        }
    }

    /** Whether the current pause is the operator's (their setup), not the account's. */
    public boolean isOperatorPause() {
        return clock.instant().isBefore(operatorPausedUntil);
    }

    /** Stops sending for {@code duration}; a pause already running longer is kept. */
    public synchronized void pause(String reason, Duration duration) {
        Instant until = clock.instant().plus(duration);
        if (until.isAfter(pausedUntil)) {
            pausedUntil = until;
            pauseReason = reason;
        }
    }

    /** Ends an account pause at once (SES says the account can send again); an operator pause stays. */
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
