package io.mailer.dispatcher.send;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class InFlightLimiterTest {

    @Test
    void shouldStartAtMostTheLimitAndTheRestInOrderAsSlotsFree() {
        // Given a limit of 2 and five calls that complete only when the test says so
        InFlightLimiter limiter = new InFlightLimiter(2);
        List<CompletableFuture<String>> calls = new ArrayList<>();
        List<Integer> started = new ArrayList<>();
        List<CompletableFuture<String>> results = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            results.add(limiter.submit(() -> {
                started.add(n);
                CompletableFuture<String> call = new CompletableFuture<>();
                calls.add(call);
                return call;
            }));
        }

        // Then two are in flight, three wait
        assertThat(started).containsExactly(0, 1);
        assertThat(limiter.inFlight()).isEqualTo(2);
        assertThat(limiter.waiting()).isEqualTo(3);

        // When the first completes and the second fails, the next two start in FIFO order
        calls.get(0).complete("a");
        calls.get(1).completeExceptionally(new IllegalStateException("boom"));
        assertThat(started).containsExactly(0, 1, 2, 3);
        assertThat(results.get(0)).isCompletedWithValue("a");
        assertThat(results.get(1)).isCompletedExceptionally();

        // And when everything completes, no slot is leaked
        calls.get(2).complete("c");
        calls.get(3).complete("d");
        calls.get(4).complete("e");
        assertThat(started).containsExactly(0, 1, 2, 3, 4);
        assertThat(limiter.inFlight()).isZero();
        assertThat(limiter.waiting()).isZero();
    }

    @Test
    void shouldReleaseTheSlotWhenStartingTheCallThrows() {
        InFlightLimiter limiter = new InFlightLimiter(1);

        CompletableFuture<String> failed = limiter.submit(() -> {
            throw new IllegalStateException("cannot start");
        });

        assertThat(failed).isCompletedExceptionally();
        assertThat(limiter.inFlight()).isZero();
        assertThat(limiter.submit(() -> CompletableFuture.completedFuture("ok"))).isCompletedWithValue("ok");
    }

    @Test
    void shouldCountUnitsAndStartWaitingWorkWhenTheLimitRises() {
        // Given a window of 100 units holding a call of 50 and one of 40
        InFlightLimiter window = new InFlightLimiter(100);
        CompletableFuture<String> first = new CompletableFuture<>();
        window.submit(50, () -> first);
        window.submit(40, CompletableFuture::new);
        List<String> started = new ArrayList<>();

        // When a call of 50 more asks, it waits (FIFO: a later call of 5 waits behind it)
        window.submit(50, () -> { started.add("fifty"); return new CompletableFuture<>(); });
        window.submit(5, () -> { started.add("five"); return new CompletableFuture<>(); });
        assertThat(started).isEmpty();
        assertThat(window.inFlight()).isEqualTo(90);

        // Then raising the limit starts both at once, in order
        window.setLimit(200);
        assertThat(started).containsExactly("fifty", "five");
        assertThat(window.inFlight()).isEqualTo(145);

        // And lowering it lets running work finish while new work waits
        window.setLimit(10);
        window.submit(1, () -> { started.add("one"); return new CompletableFuture<>(); });
        first.complete("done");
        assertThat(window.inFlight()).isEqualTo(95);
        assertThat(started).containsExactly("fifty", "five");
    }

    @Test
    void shouldNeverBeStuckOnARequestLargerThanTheLimit() {
        InFlightLimiter window = new InFlightLimiter(10);

        assertThat(window.submit(50, () -> CompletableFuture.completedFuture("alone"))).isCompletedWithValue("alone");
        assertThat(window.inFlight()).isZero();
    }

    @Test
    void shouldDrainALongQueueOfInstantWorkWithoutDeepeningTheStack() {
        // Given one slot held and 200,000 queued calls that complete as soon as they start
        InFlightLimiter limiter = new InFlightLimiter(1);
        CompletableFuture<String> blocker = new CompletableFuture<>();
        limiter.submit(() -> blocker);
        List<CompletableFuture<String>> results = new ArrayList<>();
        for (int i = 0; i < 200_000; i++) {
            results.add(limiter.submit(() -> CompletableFuture.completedFuture("ok")));
        }

        // When the slot frees, every one runs (a recursive hand-over would overflow the stack here)
        blocker.complete("go");

        assertThat(results).allSatisfy(r -> assertThat(r).isCompletedWithValue("ok"));
        assertThat(limiter.inFlight()).isZero();
    }
}
