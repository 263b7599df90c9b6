package io.mailer.dispatcher.ratelimit;

import java.util.function.LongSupplier;

/**
 * Spaces call starts evenly at a rate that may change at any time, reserving rather than blocking:
 * {@link #reserve} books the next free slot and says how long to wait for it.
 *
 * <p>It stores no tokens while idle (no burst after a pause): calls start at least
 * {@code 1/rate} apart, so any one-second window holds at most {@code rate} starts — the property
 * "never above the global rate in any one-second window" rests on this.
 */
public final class Pacer {

    private final LongSupplier nanoTime;
    private double nanosPerToken;
    private long nextFreeNanos;

    public Pacer(double ratePerSecond, LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.nextFreeNanos = nanoTime.getAsLong();
        setRate(ratePerSecond);
    }

    /** Books {@code tokens} and returns the nanoseconds to wait before using them (0 = now). */
    public synchronized long reserve(int tokens) {
        long now = nanoTime.getAsLong();
        if (now > nextFreeNanos) {
            nextFreeNanos = now;
        }
        long wait = nextFreeNanos - now;
        nextFreeNanos += (long) (tokens * nanosPerToken);
        return wait;
    }

    /** A new rate applies from the next reservation on; slots already booked keep their time. */
    public synchronized void setRate(double ratePerSecond) {
        if (!(ratePerSecond > 0)) {
            throw new IllegalArgumentException("rate must be positive, got " + ratePerSecond);
        }
        this.nanosPerToken = 1_000_000_000.0 / ratePerSecond;
    }

    public synchronized double ratePerSecond() {
        return 1_000_000_000.0 / nanosPerToken;
    }
}
