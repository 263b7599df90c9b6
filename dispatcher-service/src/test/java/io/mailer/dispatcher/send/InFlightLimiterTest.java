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
}
