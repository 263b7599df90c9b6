package io.mailer.ingress.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FailedAuthLimiterTest {

    private final AtomicLong now = new AtomicLong(1_000_000);

    @Test
    void blocksAnAddressAfterTheThresholdUntilItsWindowEnds() {
        FailedAuthLimiter limiter = new FailedAuthLimiter(now::get, 100);
        for (int i = 0; i < FailedAuthLimiter.MAX_FAILURES - 1; i++) {
            limiter.failed("10.0.0.1");
        }
        assertThat(limiter.retryAfterSeconds("10.0.0.1")).isZero();
        limiter.failed("10.0.0.1");
        assertThat(limiter.retryAfterSeconds("10.0.0.1")).isEqualTo(60);
        assertThat(limiter.retryAfterSeconds("10.0.0.2")).as("other addresses").isZero();
        now.addAndGet(59_500);
        assertThat(limiter.retryAfterSeconds("10.0.0.1")).isEqualTo(1);
        now.addAndGet(500);
        assertThat(limiter.retryAfterSeconds("10.0.0.1")).isZero();
        limiter.failed("10.0.0.1");
        assertThat(limiter.retryAfterSeconds("10.0.0.1")).as("a new window starts from one failure").isZero();
    }

    @Test
    void tracksABoundedNumberOfAddresses() {
        FailedAuthLimiter limiter = new FailedAuthLimiter(now::get, 100);
        for (int i = 0; i < 10_000; i++) {
            limiter.failed("10.0." + (i / 256) + "." + (i % 256));
        }
        assertThat(limiter.trackedAddresses()).isLessThanOrEqualTo(100);
    }
}
