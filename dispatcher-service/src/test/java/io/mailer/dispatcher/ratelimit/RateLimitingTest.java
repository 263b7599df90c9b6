package io.mailer.dispatcher.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Pacer, sliding window and the shared limiter's share/AIMD arithmetic, on a fake clock. */
class RateLimitingTest {

    private static final long MS = 1_000_000L;
    private final AtomicLong now = new AtomicLong(1_000 * MS);
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    @Test
    void shouldSpaceReservationsEvenlyWithoutABurstAfterIdling() {
        Pacer pacer = new Pacer(100, now::get);
        now.addAndGet(5_000 * MS); // idle 5 s: no stored tokens

        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            waits.add(pacer.reserve(1) / MS);
        }

        assertThat(waits).containsExactly(0L, 10L, 20L, 30L);
    }

    @Test
    void shouldApplyANewRateToTheNextReservation() {
        Pacer pacer = new Pacer(100, now::get);
        pacer.reserve(1);
        pacer.setRate(10);

        assertThat(pacer.reserve(1) / MS).isEqualTo(10L);
        assertThat(pacer.reserve(1) / MS).isEqualTo(110L);
    }

    @Test
    void shouldAllowAtMostTheRateInAnyOneSecondWindow() {
        SlidingWindow window = new SlidingWindow(now::get);
        int started = 0;
        for (int i = 0; i < 10; i++) {
            if (window.tryStart(5.9) == 0) {
                started++;
            }
        }
        assertThat(started).isEqualTo(5);
        long wait = window.tryStart(5.9);
        assertThat(wait).isEqualTo(1_000 * MS);

        now.addAndGet(1_000 * MS);
        assertThat(window.tryStart(5.9)).isZero();
    }

    @Test
    void shouldTakeThePartitionShareOfTheGlobalRateAndHalveOnThrottling() {
        SharedRateLimiter limiter = new SharedRateLimiter(200, 0.5, 0.1, scheduler, now::get);

        limiter.setShare(3, 6);
        assertThat(limiter.currentRate()).isCloseTo(100 * SharedRateLimiter.HEADROOM, within());

        limiter.onThrottled();
        limiter.onThrottled(); // the same second: one signal
        assertThat(limiter.currentRate()).isCloseTo(50 * SharedRateLimiter.HEADROOM, within());

        now.addAndGet(1_001 * MS); // one second: +0.1, then the next 429 halves (0.5 + 0.1) × 0.5
        limiter.onThrottled();
        assertThat(limiter.currentRate()).isCloseTo(30 * SharedRateLimiter.HEADROOM, within());

        limiter.setGlobalRate(400);
        assertThat(limiter.currentRate()).isCloseTo(60 * SharedRateLimiter.HEADROOM, within());

        now.addAndGet(10_000 * MS); // ten seconds without 429: back to the full share
        assertThat(limiter.currentRate()).isCloseTo(200 * SharedRateLimiter.HEADROOM, within());
        limiter.setShare(0, 6);
        assertThat(limiter.currentRate()).isEqualTo(0.1, within());
    }

    private static org.assertj.core.data.Offset<Double> within() {
        return org.assertj.core.data.Offset.offset(0.001);
    }
}
