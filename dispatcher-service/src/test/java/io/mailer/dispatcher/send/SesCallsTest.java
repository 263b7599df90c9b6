package io.mailer.dispatcher.send;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.dispatcher.ratelimit.RateLimiter;
import io.mailer.dispatcher.ses.SesErrorClassifier;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class SesCallsTest {

    private final List<String> called = new ArrayList<>();
    private final List<CompletableFuture<Void>> ledgerWrites = new ArrayList<>();

    @Test
    void shouldGiveTheSesSlotBackWhenSesAnswersNotWhenTheLedgerDoes() {
        // Given one SES call allowed in flight and a ledger that has not acknowledged yet
        SesCalls calls = calls(1, 1000);

        attempt(calls, "a");
        attempt(calls, "b");

        // Then the second call went out while the first one's ledger write is still pending
        assertThat(ledgerWrites).hasSize(2).allSatisfy(w -> assertThat(w).isNotDone());
        assertThat(called).containsExactly("a", "b");
    }

    @Test
    void shouldHoldNoMoreUnrecordedSendsThanTheDuplicateWindow() {
        // Given a duplicate window of 2 sends and plenty of SES slots
        SesCalls calls = calls(20, 2);

        CompletableFuture<CallResult<String>> first = attempt(calls, "a");
        attempt(calls, "b");
        attempt(calls, "c");

        // Then the third call waits until a ledger write is acknowledged
        assertThat(called).containsExactly("a", "b");
        assertThat(calls.tuner().window().inFlight()).isEqualTo(2);
        ledgerWrites.get(0).complete(null);
        assertThat(first).isCompleted();
        assertThat(called).containsExactly("a", "b", "c");
    }

    @Test
    void shouldGiveTheWindowBackForACallSesRefused() {
        SesCalls calls = calls(20, 1);

        CompletableFuture<CallResult<String>> refused = calls.attempt("batch", "tenant", 1,
                permit -> CompletableFuture.<String>failedFuture(new IllegalStateException("connection reset")),
                answer -> answer, (took, result) -> { }, answer -> CompletableFuture.completedFuture(null));

        assertThat(refused.join()).isInstanceOf(CallResult.Rejected.class);
        assertThat(calls.tuner().window().inFlight()).isZero();
        assertThat(attempt(calls, "next")).isNotDone();
        assertThat(called).containsExactly("next");
    }

    private CompletableFuture<CallResult<String>> attempt(SesCalls calls, String name) {
        return calls.attempt("batch", "tenant", 1, permit -> {
            called.add(name);
            return CompletableFuture.completedFuture("id-" + name);
        }, answer -> answer, (took, result) -> { }, answer -> {
            CompletableFuture<Void> write = new CompletableFuture<>();
            ledgerWrites.add(write);
            return write;
        });
    }

    private static SesCalls calls(int maxCalls, int window) {
        InFlightLimiter inFlight = new InFlightLimiter(maxCalls);
        ConcurrencyTuner tuner = new ConcurrencyTuner(inFlight, maxCalls, window, () -> Double.POSITIVE_INFINITY);
        return new SesCalls(null, new SesErrorClassifier(), RateLimiter.UNLIMITED, inFlight, tuner, null,
                new SendGate(Clock.systemUTC()), null, null, null, batchId -> false, tenantId -> false);
    }
}
