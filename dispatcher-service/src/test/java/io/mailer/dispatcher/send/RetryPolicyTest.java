package io.mailer.dispatcher.send;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.dispatcher.ses.SesErrorKind;
import java.time.Duration;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private final RetryPolicy policy = new RetryPolicy(5, 20, Duration.ofMillis(200), Duration.ofSeconds(5));

    @Test
    void shouldAllowFiveAttemptsForErrorsAndTwentyForThrottling() {
        assertThat(policy.mayRetry(SesErrorKind.RETRYABLE, 4)).isTrue();
        assertThat(policy.mayRetry(SesErrorKind.RETRYABLE, 5)).isFalse();
        assertThat(policy.mayRetry(SesErrorKind.THROTTLED, 19)).isTrue();
        assertThat(policy.mayRetry(SesErrorKind.THROTTLED, 20)).isFalse();
    }

    @Test
    void shouldNeverRetryPermanentOrAccountErrors() {
        assertThat(policy.mayRetry(SesErrorKind.PERMANENT, 1)).isFalse();
        assertThat(policy.mayRetry(SesErrorKind.ACCOUNT_BLOCKED, 1)).isFalse();
    }

    @RepeatedTest(20)
    void shouldBackOffExponentiallyWithJitterUpToTheCap() {
        // equal jitter: between half and all of 200, 400, 800 ms ... capped at 5 s
        assertThat(policy.backoff(1)).isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
        assertThat(policy.backoff(2)).isBetween(Duration.ofMillis(200), Duration.ofMillis(400));
        assertThat(policy.backoff(3)).isBetween(Duration.ofMillis(400), Duration.ofMillis(800));
        assertThat(policy.backoff(10)).isBetween(Duration.ofMillis(2500), Duration.ofSeconds(5));
        assertThat(policy.backoff(60)).isBetween(Duration.ofMillis(2500), Duration.ofSeconds(5));
    }
}
