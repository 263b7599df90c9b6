package io.mailer.dispatcher.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenBucketTest {

    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong now = new AtomicLong(1_000 * SECOND);

    @Test
    void shouldSpaceReservationsEvenlyAtTheRate() {
        // Given 10 per second and no stored tokens
        TokenBucket bucket = new TokenBucket(10, now::get);

        // When five callers reserve at the same instant, they wait 0, 100, 200, 300, 400 ms
        long[] waits = new long[5];
        for (int i = 0; i < 5; i++) {
            waits[i] = bucket.reserve(1);
        }
        assertThat(waits).containsExactly(0, SECOND / 10, 2 * SECOND / 10, 3 * SECOND / 10, 4 * SECOND / 10);
    }

    @Test
    void shouldAllowABurstOfAtMostOneSecondAfterIdling() {
        TokenBucket bucket = new TokenBucket(5, now::get);
        now.addAndGet(60 * SECOND);

        long[] waits = new long[7];
        for (int i = 0; i < 7; i++) {
            waits[i] = bucket.reserve(1);
        }
        // five stored tokens (one second's worth) plus the one due now, then one per 200 ms
        assertThat(waits).containsExactly(0, 0, 0, 0, 0, 0, SECOND / 5);
    }

    @Test
    void shouldCountRecipientsNotCalls() {
        TokenBucket bucket = new TokenBucket(2, now::get);

        assertThat(bucket.reserve(4)).isZero();
        assertThat(bucket.reserve(1)).isEqualTo(2 * SECOND);
    }

    @Test
    void shouldSupportRatesBelowOnePerSecond() {
        TokenBucket bucket = new TokenBucket(0.5, now::get);

        assertThat(bucket.reserve(1)).isZero();
        assertThat(bucket.reserve(1)).isEqualTo(2 * SECOND);
    }
}
