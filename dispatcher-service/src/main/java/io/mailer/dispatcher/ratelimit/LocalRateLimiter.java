package io.mailer.dispatcher.ratelimit;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code SES_MAX_SEND_RATE} enforced per instance with a {@link TokenBucket}. With several replicas
 * each would allow the full rate; the global limiter of a later issue fixes that.
 */
public final class LocalRateLimiter implements RateLimiter {

    private final TokenBucket bucket;
    private final ScheduledExecutorService scheduler;

    public LocalRateLimiter(double ratePerSecond, ScheduledExecutorService scheduler) {
        this.bucket = new TokenBucket(ratePerSecond, System::nanoTime);
        this.scheduler = scheduler;
    }

    @Override
    public CompletableFuture<Void> acquire(int recipients) {
        long waitNanos = bucket.reserve(recipients);
        if (waitNanos <= 0) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> ready = new CompletableFuture<>();
        scheduler.schedule(() -> ready.complete(null), waitNanos, TimeUnit.NANOSECONDS);
        return ready;
    }
}
