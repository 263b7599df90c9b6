package io.mailer.dispatcher.ratelimit;

import java.util.concurrent.CompletableFuture;

/**
 * Paces SES calls to the account's send rate. Asynchronous, so a send waiting for its turn holds
 * no thread and no in-flight slot.
 *
 * <p>Today's implementation is local to one instance ({@link LocalRateLimiter}); the global limiter
 * shared by all replicas (a later issue) implements this same interface.
 */
public interface RateLimiter {

    /** Completes when the caller may send to {@code recipients} more recipients (SES quotas count recipients). */
    CompletableFuture<Void> acquire(int recipients);

    /** SES answered 429: a shared limiter lowers its rate here; the local one has nothing to learn. */
    default void onThrottled() {
    }

    /** No limit: every acquire completes at once. Used when {@code SES_MAX_SEND_RATE} is not set. */
    RateLimiter UNLIMITED = recipients -> CompletableFuture.completedFuture(null);
}
