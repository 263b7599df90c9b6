package io.mailer.dispatcher.ratelimit;

import java.util.concurrent.CompletableFuture;

/**
 * Paces SES calls to the account's send rate. Asynchronous, so a send waiting for its turn holds
 * no thread.
 */
public interface RateLimiter {

    /**
     * Completes when the caller may start one SES call to {@code recipients} recipients (SES quotas
     * count recipients: a SendBulkEmail call of 50 destinations takes 50). The caller must
     * {@link RatePermit#release} the permit when SES answered.
     */
    CompletableFuture<RatePermit> acquire(int recipients);

    /** SES answered 429: a shared limiter lowers its rate here. */
    default void onThrottled() {
    }

    /** The most recipients one call may take now (a bulk call is split to fit). */
    default int maxRecipientsPerCall() {
        return Integer.MAX_VALUE;
    }

    /** No limit: every acquire completes at once. */
    RateLimiter UNLIMITED = recipients -> CompletableFuture.completedFuture(RatePermit.NONE);
}
