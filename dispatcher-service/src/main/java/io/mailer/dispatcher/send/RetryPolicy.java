package io.mailer.dispatcher.send;

import io.mailer.dispatcher.ses.SesErrorKind;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * In-process retry of one send: exponential backoff from {@code initialBackoff}, capped at
 * {@code maxBackoff}, with "equal jitter" (half fixed, half random) so that a throttled poll does
 * not come back as one burst. Errors and throttling have separate attempt budgets.
 */
public record RetryPolicy(int maxAttempts, int maxThrottledAttempts, Duration initialBackoff, Duration maxBackoff) {

    public RetryPolicy {
        if (maxAttempts < 1 || maxThrottledAttempts < 1) {
            throw new IllegalArgumentException("attempt budgets must be at least 1");
        }
    }

    /** Whether another attempt is allowed after {@code attempts} attempts that ended in {@code kind}. */
    public boolean mayRetry(SesErrorKind kind, int attempts) {
        return switch (kind) {
            case RETRYABLE -> attempts < maxAttempts;
            case THROTTLED -> attempts < maxThrottledAttempts;
            case PERMANENT, ACCOUNT_BLOCKED, OPERATOR -> false;
        };
    }

    /** The wait before attempt {@code attempts + 1}. */
    public Duration backoff(int attempts) {
        long ceiling = maxBackoff.toMillis();
        long exponential = initialBackoff.toMillis() << Math.min(attempts - 1, 20);
        long delay = Math.min(ceiling, exponential);
        long half = delay / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(half + 1));
    }
}
