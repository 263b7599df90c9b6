package io.mailer.dispatcher.send;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.dispatcher.ratelimit.RateLimiter;
import io.mailer.dispatcher.ses.SesErrorClassifier;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class SesCallPathTest {

    private final List<String> called = new ArrayList<>();
    private final List<CompletableFuture<Void>> ledgerWrites = new ArrayList<>();
    private ConcurrencyTuner tuner;

    @Test
    void shouldGiveTheSesSlotBackWhenSesAnswersNotWhenTheLedgerDoes() {
        // Given one SES call allowed in flight and a ledger that has not acknowledged yet
        SesCallPath calls = calls(1, 1000);

        attempt(calls, "a");
        attempt(calls, "b");

        // Then the second call went out while the first one's ledger write is still pending
        assertThat(ledgerWrites).hasSize(2).allSatisfy(w -> assertThat(w).isNotDone());
        assertThat(called).containsExactly("a", "b");
    }

    @Test
    void shouldHoldNoMoreUnrecordedSendsThanTheDuplicateWindow() {
        // Given a duplicate window of 2 sends and plenty of SES slots
        SesCallPath calls = calls(20, 2);

        CompletableFuture<CallResult> first = attempt(calls, "a");
        attempt(calls, "b");
        attempt(calls, "c");

        // Then the third call waits until a ledger write is acknowledged
        assertThat(called).containsExactly("a", "b");
        assertThat(tuner.window().inFlight()).isEqualTo(2);
        ledgerWrites.get(0).complete(null);
        assertThat(first).isCompleted();
        assertThat(called).containsExactly("a", "b", "c");
    }

    @Test
    void shouldGiveTheWindowBackForACallSesRefused() {
        SesCallPath calls = calls(20, 1);

        CompletableFuture<CallResult> refused = calls.call("batch", "tenant", 1,
                permit -> CompletableFuture.<List<EntryResult>>failedFuture(new IllegalStateException("connection reset")),
                (took, result) -> { }, results -> CompletableFuture.completedFuture(null));

        assertThat(refused.join()).isInstanceOf(CallResult.Rejected.class);
        assertThat(tuner.window().inFlight()).isZero();
        assertThat(attempt(calls, "next")).isNotDone();
        assertThat(called).containsExactly("next");
    }

    private CompletableFuture<CallResult> attempt(SesCallPath calls, String name) {
        return calls.call("batch", "tenant", 1, permit -> {
            called.add(name);
            return CompletableFuture.completedFuture(List.of(new EntryResult.Accepted("id-" + name)));
        }, (took, result) -> { }, results -> {
            CompletableFuture<Void> write = new CompletableFuture<>();
            ledgerWrites.add(write);
            return write;
        });
    }

    private SesCallPath calls(int maxCalls, int window) {
        InFlightLimiter inFlight = new InFlightLimiter(maxCalls);
        tuner = new ConcurrencyTuner(inFlight, maxCalls, window, () -> Double.POSITIVE_INFINITY);
        return new SesCallPath(RateLimiter.UNLIMITED, inFlight, tuner,
                new LastMomentCheck(new SendGate(Clock.systemUTC()), batchId -> false, tenantId -> false), new SesErrorClassifier());
    }
}
