package io.mailer.ingress.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Failed authentications per client address in fixed one-minute windows: past {@link #MAX_FAILURES}
 * the address gets 429 without its keys being looked up, so guessing keys costs PostgreSQL nothing.
 * The map is bounded (Caffeine, {@link #MAX_ADDRESSES}): an attacker spreading over many addresses
 * evicts old windows rather than growing memory.
 */
final class FailedAuthLimiter {

    static final int MAX_FAILURES = 20;
    static final Duration WINDOW = Duration.ofMinutes(1);
    static final long MAX_ADDRESSES = 100_000;

    private final LongSupplier clockMillis;
    private final Cache<String, Window> windows;

    FailedAuthLimiter(LongSupplier clockMillis, long maxAddresses) {
        this.clockMillis = clockMillis;
        this.windows = Caffeine.newBuilder().maximumSize(maxAddresses).expireAfterAccess(WINDOW.multipliedBy(2)).build();
    }

    /** Seconds until the address may try again, or 0 if it may now. */
    long retryAfterSeconds(String address) {
        Window w = windows.getIfPresent(address);
        if (w == null) {
            return 0;
        }
        long now = clockMillis.getAsLong();
        long start = w.start.get();
        if (now - start >= WINDOW.toMillis() || w.failures.get() < MAX_FAILURES) {
            return 0;
        }
        return Math.max(1, (start + WINDOW.toMillis() - now + 999) / 1000);
    }

    void failed(String address) {
        long now = clockMillis.getAsLong();
        Window w = windows.get(address, a -> new Window(now));
        synchronized (w) {
            if (now - w.start.get() >= WINDOW.toMillis()) {
                w.start.set(now);
                w.failures.set(0);
            }
            w.failures.incrementAndGet();
        }
    }

    long trackedAddresses() {
        windows.cleanUp();
        return windows.estimatedSize();
    }

    private static final class Window {
        private final AtomicLong start;
        private final AtomicLong failures = new AtomicLong();

        Window(long start) {
            this.start = new AtomicLong(start);
        }
    }
}
