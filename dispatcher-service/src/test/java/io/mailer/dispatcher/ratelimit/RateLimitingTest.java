package io.mailer.dispatcher.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Pacer, call window and the shared limiter's share/AIMD arithmetic, mostly on a fake clock. */
class RateLimitingTest {

    private static final long MS = 1_000_000L;
    private final AtomicLong now = new AtomicLong(1_000 * MS);
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    @Test
    void shouldSpaceStartsWithoutABurstAfterIdlingAndApplyARateChangeToCallsAlreadyWaiting() {
        // Given a replica owning every partition of a 10/s account, idle for 5 s
        SharedRateLimiter limiter = new SharedRateLimiter(10, 0.5, 0.1, scheduler, now::get);
        limiter.setShare(6, 6);
        now.addAndGet(SharedRateLimiter.SHARE_GRACE_NANOS + 5_000 * MS);

        // When three calls ask at once
        var first = limiter.acquire(1);
        var second = limiter.acquire(1);
        var third = limiter.acquire(1);

        // Then only the first starts (no stored tokens); the next one ~101 ms later, in order
        assertThat(first).isCompleted();
        assertThat(second).isNotCompleted();
        now.addAndGet(102 * MS);
        await().atMost(Duration.ofSeconds(5)).until(second::isDone);
        assertThat(third).isNotCompleted();

        // When the rate drops to 0.1/s (share 0) and a call waits, then the share comes back
        limiter.setShare(0, 6);
        limiter.setShare(6, 6);
        now.addAndGet(SharedRateLimiter.SHARE_GRACE_NANOS);

        // Then the waiting call starts at the new rate, not 10 s after the last start
        await().atMost(Duration.ofSeconds(5)).until(third::isDone);
    }

    @Test
    void shouldGiveTheWindowPlaceOfACallThatNeverWentOutBackAtOnce() {
        // Given a replica of a 10/s account whose window is full: two calls of 5, the first refused at
        // the last moment after 900 ms in flight (it never reached SES)
        SharedRateLimiter limiter = new SharedRateLimiter(10, 0.5, 0.1, scheduler, now::get, WindowEnd.ANSWER);
        limiter.setShare(6, 6);
        now.addAndGet(SharedRateLimiter.SHARE_GRACE_NANOS);
        RatePermit refused = limiter.acquire(5).join();
        now.addAndGet(500 * MS);
        var second = limiter.acquire(5);
        await().atMost(Duration.ofSeconds(5)).until(second::isDone);
        now.addAndGet(400 * MS);
        refused.unused();

        // When the next call asks once its spacing has passed
        now.addAndGet(100 * MS);
        var third = limiter.acquire(5);

        // Then it starts now, not a second after the refused call's end (1.9 s)
        await().atMost(Duration.ofSeconds(5)).until(third::isDone);
        assertThat(limiter.inWindow()).isEqualTo(10);
    }

    @Test
    void shouldSumWhereACallsPlaceInTheWindowWent() {
        // Given a replica of a 10/s account that counts a call until a second after its answer
        SharedRateLimiter limiter = new SharedRateLimiter(10, 0.5, 0.1, scheduler, now::get, WindowEnd.ANSWER);
        limiter.setShare(6, 6);
        now.addAndGet(SharedRateLimiter.SHARE_GRACE_NANOS);

        // When a call's request goes out 3 ms after its turn and is answered 50 ms later
        RatePermit permit = limiter.acquire(1).join();
        now.addAndGet(3 * MS);
        permit.transmitting();
        now.addAndGet(50 * MS);
        permit.release();

        // Then the turn, our client's 3 ms, the 50 ms round trip and 1.053 s in the window are summed
        TurnTimes times = limiter.turnTimes();
        assertThat(times.turns()).isEqualTo(1);
        assertThat(times.toTransmissionSeconds()).isCloseTo(0.003, within());
        assertThat(times.roundTripSeconds()).isCloseTo(0.050, within());
        assertThat(times.heldSeconds()).isCloseTo(1.053, within());
    }

    @Test
    void shouldCountACallFromItsStartUntilOneSecondAfterItsAnswer() {
        // Given a window of 5 recipients that assumes nothing about when SES counted a call
        CallWindow window = new CallWindow(now::get, WindowEnd.ANSWER);
        long sent = now.get();

        // When 4 calls of 1 and one of 2 ask to start
        int started = 0;
        for (int i = 0; i < 4; i++) {
            if (window.tryStart(1, 5) == 0) {
                started++;
            }
        }
        long refused = window.tryStart(2, 5);

        // Then 4 start, the fifth waits: nothing was answered yet, so it polls for an answer
        assertThat(started).isEqualTo(4);
        assertThat(refused).isPositive();

        // When two answers arrive 300 ms later, the calls still count for one second after them
        now.addAndGet(300 * MS);
        window.answered(1, sent);
        window.answered(1, sent);
        assertThat(window.tryStart(2, 5)).isEqualTo(1_000 * MS);
        now.addAndGet(999 * MS);
        assertThat(window.tryStart(2, 5)).isEqualTo(1 * MS);
        now.addAndGet(1 * MS);
        assertThat(window.tryStart(2, 5)).isZero();
        assertThat(window.counted()).isEqualTo(4);
    }

    @Test
    void shouldCountACallUntilOneSecondAfterItsAnswerLessHalfTheFastestRecentRoundTripBeyond10Ms() {
        // Given a window of 2 recipients and two calls sent 100 ms apart
        CallWindow window = new CallWindow(now::get, WindowEnd.FASTEST_MIDPOINT);
        long first = now.get();
        assertThat(window.tryStart(1, 2)).isZero();
        now.addAndGet(100 * MS);
        long second = now.get();
        assertThat(window.tryStart(1, 2)).isZero();

        // When the second is answered after 20 ms and the first after 400 ms (answers out of order)
        now.addAndGet(20 * MS);
        window.answered(1, second);
        now.addAndGet(280 * MS);
        window.answered(1, first);

        // Then the fast one counts until 1 s after its answer less half its time beyond 10 ms (120 - 5
        // ms), the slow one until 1 s after its answer less the same 5 ms: its extra 380 ms may have
        // been spent on the way to SES
        assertThat(window.tryStart(1, 2)).isEqualTo(715 * MS);
        now.addAndGet(715 * MS);
        assertThat(window.tryStart(1, 2)).isZero();
        assertThat(window.tryStart(1, 2)).isEqualTo(280 * MS);
    }

    @Test
    void shouldLetACallLargerThanTheLimitStartOnlyIntoAnEmptyWindow() {
        CallWindow window = new CallWindow(now::get, WindowEnd.FASTEST_MIDPOINT);
        assertThat(window.tryStart(1, 3)).isZero();
        assertThat(window.tryStart(50, 3)).isPositive();
        window.answered(1, now.get());
        now.addAndGet(1_000 * MS);
        assertThat(window.tryStart(50, 3)).isZero();
    }

    /**
     * Bulk calls of 50 to a 2,000/s account, each answered 50 ms after it went out, as fast as the
     * window lets them start: the share of the rate each arrival bound sustains, and the most
     * recipients SES sees in one second when it counts every call at the latest moment the bound allows.
     */
    @Test
    void shouldSustainMoreThan97PercentOfTheRateAt50MsWhenSesCountsInTheFirstHalfOfTheFastestCall() {
        double fastestMidpoint = sustained(WindowEnd.FASTEST_MIDPOINT, 0);
        double answer = sustained(WindowEnd.ANSWER, 0);
        assertThat(fastestMidpoint).isGreaterThan(0.97).isLessThanOrEqualTo(1.0);
        assertThat(answer).isGreaterThan(0.94).isLessThan(0.953);
    }

    /**
     * The same with a 300 ms stall at the start of every second on the way to SES (a loaded SES front,
     * our own busy core, a GC pause): the calls sent during it arrive together at its end. The window
     * counts such a call almost until its answer, and SES never sees more than the limit in a second.
     */
    @Test
    void shouldStayWithinTheLimitWhenStallsOnTheWayToSesBunchTheArrivals() {
        assertThat(sustained(WindowEnd.FASTEST_MIDPOINT, 300)).isGreaterThan(0.7);
    }

    private double sustained(WindowEnd end, int stallMs) {
        final int limit = 2_000;
        final int perCall = 50;
        final long latency = 50 * MS;
        final long step = MS / 10;
        CallWindow window = new CallWindow(now::get, end);
        java.util.PriorityQueue<long[]> inFlight = new java.util.PriorityQueue<>(java.util.Comparator.comparingLong(c -> c[1]));
        List<Long> arrivals = new ArrayList<>();
        long begin = now.get();
        long counted = 0;
        while (now.get() - begin < 22_000 * MS) {
            while (!inFlight.isEmpty() && inFlight.peek()[1] <= now.get()) {
                window.answered(perCall, inFlight.poll()[0]);
            }
            while (window.tryStart(perCall, limit) == 0) {
                long sent = now.get();
                long intoSecond = (sent - begin) % (1_000 * MS);
                long stalled = intoSecond < stallMs * MS ? stallMs * MS - intoSecond : 0;
                long answer = sent + stalled + latency;
                inFlight.add(new long[] {sent, answer});
                // SES counts it at the latest moment the bound assumes
                arrivals.add(end == WindowEnd.ANSWER ? answer : answer - latency / 2);
                if (sent - begin >= 2_000 * MS) {
                    counted += perCall;
                }
            }
            now.addAndGet(step);
        }
        java.util.Collections.sort(arrivals);
        int most = 0;
        for (int i = 0, j = 0; i < arrivals.size(); i++) {
            while (arrivals.get(i) - arrivals.get(j) >= 1_000 * MS) {
                j++;
            }
            most = Math.max(most, (i - j + 1) * perCall);
        }
        assertThat(most).as("recipients SES sees in one second, %s", end).isLessThanOrEqualTo(limit);
        return counted / 20.0 / limit;
    }

    @Test
    void shouldNeverHaveMoreThanTheLimitInAnySecondOfArrivalsWhateverTheLatency() throws Exception {
        // arrivals anywhere between request and answer: the bound that assumes nothing
        assertAtMostTheLimitInAnySecondOfArrivals(WindowEnd.ANSWER, 100);
    }

    @Test
    void shouldNeverHaveMoreThanTheLimitInAnySecondOfArrivalsInTheRequestsFirstHalf() throws Exception {
        // arrivals in the first half between request and answer: within the default bound's assumption
        assertAtMostTheLimitInAnySecondOfArrivals(WindowEnd.FASTEST_MIDPOINT, 50);
    }

    private void assertAtMostTheLimitInAnySecondOfArrivals(WindowEnd end, int latestArrivalPercent)
            throws Exception {
        // Given a limiter of 200/s on the real clock, and calls answered after 0–40 ms
        ScheduledExecutorService pool = Executors.newScheduledThreadPool(4);
        try {
            SharedRateLimiter limiter = new SharedRateLimiter(200, 0.7, 0.05, pool, System::nanoTime, end);
            limiter.setShare(6, 6);
            Thread.sleep(SharedRateLimiter.SHARE_GRACE.toMillis() + 50);
            List<Long> arrivals = java.util.Collections.synchronizedList(new ArrayList<>());
            java.util.Random random = new java.util.Random(7);

            // When 500 calls go through it; SES sees each at a random moment in the allowed part of the call
            List<java.util.concurrent.CompletableFuture<?>> calls = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                long latency = random.nextInt(40);
                long arrivalShare = random.nextInt(latestArrivalPercent + 1);
                calls.add(limiter.acquire(1).thenCompose(permit -> {
                    // as the SES client's interceptor does when the request goes out
                    permit.transmitting();
                    long start = System.nanoTime();
                    return java.util.concurrent.CompletableFuture.runAsync(() -> {
                        arrivals.add(start + latency * MS * arrivalShare / 100);
                        permit.release();
                    }, java.util.concurrent.CompletableFuture.delayedExecutor(latency, java.util.concurrent.TimeUnit.MILLISECONDS, pool));
                }));
            }
            java.util.concurrent.CompletableFuture.allOf(calls.toArray(java.util.concurrent.CompletableFuture[]::new))
                    .get(30, java.util.concurrent.TimeUnit.SECONDS);

            // Then no one-second window of arrivals holds more than 200 calls
            List<Long> sorted = arrivals.stream().sorted().toList();
            int max = 0;
            for (int i = 0, j = 0; i < sorted.size(); i++) {
                while (sorted.get(i) - sorted.get(j) >= 1_000 * MS) {
                    j++;
                }
                max = Math.max(max, i - j + 1);
            }
            assertThat(max).isLessThanOrEqualTo((int) Math.floor(200 * SharedRateLimiter.HEADROOM));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldTakeThePartitionShareOfTheGlobalRateAndHalveOnThrottling() {
        SharedRateLimiter limiter = new SharedRateLimiter(200, 0.5, 0.1, scheduler, now::get);
        assertThat(limiter.currentRate()).isEqualTo(0.1, within()); // no partitions yet

        limiter.setShare(3, 6);
        assertThat(limiter.currentRate()).as("an increase waits for the grace period").isEqualTo(0.1, within());
        now.addAndGet(SharedRateLimiter.SHARE_GRACE_NANOS);
        assertThat(limiter.currentRate()).isCloseTo(100 * SharedRateLimiter.HEADROOM, within());
        assertThat(limiter.maxRecipientsPerCall()).isEqualTo((int) Math.floor(100 * SharedRateLimiter.HEADROOM));

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

    @Test
    void shouldApplyAShareDecreaseAtOnceAndAnIncreaseOnlyAfterTheGracePeriod() {
        // Given a replica owning 3 of 6 partitions of a 120/s account
        SharedRateLimiter limiter = new SharedRateLimiter(120, 0.5, 0.1, scheduler, now::get);
        limiter.setShare(3, 6);
        now.addAndGet(SharedRateLimiter.SHARE_GRACE_NANOS);
        assertThat(limiter.currentRate()).isCloseTo(60 * SharedRateLimiter.HEADROOM, within());

        // When a rebalance revokes everything, then assigns 4 of 6
        limiter.setShare(0, 6);
        assertThat(limiter.currentRate()).isEqualTo(0.1, within());
        now.addAndGet(100 * MS);
        limiter.setShare(4, 6);

        // Then the new share waits until the previous owners' calls left every one-second window
        now.addAndGet(SharedRateLimiter.SHARE_GRACE_NANOS - 1);
        assertThat(limiter.currentRate()).isEqualTo(0.1, within());
        now.addAndGet(1);
        assertThat(limiter.currentRate()).isCloseTo(80 * SharedRateLimiter.HEADROOM, within());

        // And a decrease during a pending increase keeps the lower share until the new one held
        limiter.setShare(6, 6);
        now.addAndGet(500 * MS);
        limiter.setShare(2, 6);
        assertThat(limiter.currentRate()).isCloseTo(40 * SharedRateLimiter.HEADROOM, within());
        now.addAndGet(SharedRateLimiter.SHARE_GRACE_NANOS);
        assertThat(limiter.currentRate()).isCloseTo(40 * SharedRateLimiter.HEADROOM, within());
    }

    private static org.assertj.core.data.Offset<Double> within() {
        return org.assertj.core.data.Offset.offset(0.001);
    }
}
