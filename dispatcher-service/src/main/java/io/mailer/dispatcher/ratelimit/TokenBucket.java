package io.mailer.dispatcher.ratelimit;

import java.util.function.LongSupplier;

/**
 * A token bucket that reserves rather than blocks: {@link #reserve} returns how long the caller
 * must wait for its tokens, and books them, so concurrent callers are spaced out evenly.
 *
 * <p>The bucket holds at most one second of tokens: after an idle period at most
 * {@code ratePerSecond + 1} sends go at once (the "+1" is the token due now), then one per
 * {@code 1/ratePerSecond}. It paces call starts; SES counts arrivals, which network jitter can
 * bunch a little, so configure a rate slightly below the account's MaxSendRate.
 */
public final class TokenBucket {

    private final double ratePerSecond;
    private final double capacity;
    private final double nanosPerToken;
    private final LongSupplier nanoTime;
    private double storedTokens;
    private long nextFreeNanos;

    public TokenBucket(double ratePerSecond, LongSupplier nanoTime) {
        if (!(ratePerSecond > 0)) {
            throw new IllegalArgumentException("rate must be positive, got " + ratePerSecond);
        }
        this.ratePerSecond = ratePerSecond;
        this.capacity = Math.max(1.0, ratePerSecond);
        this.nanosPerToken = 1_000_000_000.0 / ratePerSecond;
        this.nanoTime = nanoTime;
        long now = nanoTime.getAsLong();
        this.nextFreeNanos = now;
        this.storedTokens = 0;
    }

    /** Books {@code tokens} and returns the nanoseconds to wait before using them (0 = now). */
    public synchronized long reserve(int tokens) {
        long now = nanoTime.getAsLong();
        if (now > nextFreeNanos) {
            storedTokens = Math.min(capacity, storedTokens + (now - nextFreeNanos) / nanosPerToken);
            nextFreeNanos = now;
        }
        long waitNanos = nextFreeNanos - now;
        double fromStore = Math.min(tokens, storedTokens);
        storedTokens -= fromStore;
        nextFreeNanos += (long) ((tokens - fromStore) * nanosPerToken);
        return waitNanos;
    }

    public double ratePerSecond() {
        return ratePerSecond;
    }
}
