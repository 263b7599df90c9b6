package io.mailer.dispatcher.send;

import io.mailer.dispatcher.ledger.SendLedger;
import io.mailer.dispatcher.ratelimit.RateLimiter;
import io.mailer.dispatcher.ratelimit.RatePermit;
import io.mailer.dispatcher.ses.SesError;
import io.mailer.dispatcher.ses.SesErrorClassifier;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sesv2.SesV2AsyncClient;

/**
 * What both send modes need around an SES call: the client, the limiters, the verdicts, the ledger,
 * and the one path every call takes ({@link #attempt}).
 */
record SesCalls(SesV2AsyncClient ses, SesErrorClassifier classifier, RateLimiter rateLimiter, InFlightLimiter inFlight,
        ConcurrencyTuner tuner, SesVerdicts verdicts, SendGate gate,
        ScheduledExecutorService scheduler, DispatcherMetrics metrics, SendLedger ledger, Predicate<String> cancelled,
        Predicate<String> tenantPaused) {

    private static final Logger log = LoggerFactory.getLogger(SesCalls.class);

    /**
     * One SES call for {@code recipients} sends of {@code batchId}: a place in the duplicate window →
     * an in-flight slot → the rate turn → the call ({@link #invoke}) → the slot back as soon as SES
     * answered → {@code record} (the accepted sends into the ledger) → the window place back once the
     * ledger acknowledged. The slot is not held through the ledger write, so SES concurrency is not
     * spent waiting on Kafka; the window bounds what a crash can duplicate.
     */
    <R, A> CompletableFuture<CallResult<A>> attempt(String batchId, String tenantId, int recipients, Function<RatePermit, CompletableFuture<R>> call,
            Function<R, A> answer, BiConsumer<Duration, String> timing, Function<A, CompletableFuture<?>> record) {
        return tuner.window().submit(recipients, () -> inFlight.<CallResult<A>>submit(() -> rateLimiter.acquire(recipients)
                        // the slot first, then the rate turn: a send that passed the rate limiter and then
                        // queued for a slot would start late, together with others, and burst above the rate
                        .thenCompose(permit -> invoke(batchId, tenantId, permit, () -> call.apply(permit), answer, (took, result) -> {
                            tuner.callAnswered(took.toNanos(), recipients);
                            timing.accept(took, result);
                        })))
                .thenCompose(result -> result instanceof CallResult.Answered<A> accepted ? recorded(accepted, record)
                        : CompletableFuture.completedFuture(result)));
    }

    /** The ledger entry of a send SES accepted; a failed write is logged, not an error of the send. */
    CompletableFuture<Void> recordAccepted(String sendId, String sesMessageId) {
        return ledger.record(sendId, sesMessageId).exceptionally(error -> {
            // the message went out; only the protection against a resend is missing
            log.warn("send {} accepted by SES but not written to the ledger: {}", sendId, error.toString());
            return null;
        });
    }

    private <A> CompletableFuture<CallResult<A>> recorded(CallResult.Answered<A> accepted, Function<A, CompletableFuture<?>> record) {
        long started = System.nanoTime();
        CompletableFuture<?> written;
        try {
            written = record.apply(accepted.answer());
        } catch (RuntimeException e) {
            written = CompletableFuture.failedFuture(e);
        }
        return written.handle((ok, error) -> {
            tuner.ledgerAcknowledged(System.nanoTime() - started);
            return accepted;
        });
    }

    /**
     * One SES call under {@code permit} for sends of {@code batchId}, or none when the gate closed
     * or the batch was cancelled while the sends waited for their slot and turn: this is the last
     * moment before SES, so a cancel stops what was already fetched, prepared and queued. The permit is given back as soon as the answer (or the failure to call) is known; an
     * error is classified; {@code timing} records the call's duration with "ok" or the error kind.
     */
    private <R, A> CompletableFuture<CallResult<A>> invoke(String batchId, String tenantId, RatePermit permit, Supplier<CompletableFuture<R>> call,
            Function<R, A> answer, BiConsumer<Duration, String> timing) {
        Optional<String> closed = gate.closedReason();
        if (closed.isPresent()) {
            permit.release();
            return CompletableFuture.completedFuture(new CallResult.Skipped<>(closed.get()));
        }
        if (cancelled.test(batchId)) {
            // the turn is given back unused: the next send takes it at once
            permit.release();
            return CompletableFuture.completedFuture(new CallResult.Withdrawn<>());
        }
        if (tenantPaused.test(tenantId)) {
            // the reputation guard paused the tenant while the send waited: held, not sent
            permit.release();
            return CompletableFuture.completedFuture(new CallResult.Held<>("tenant-paused"));
        }
        long started = System.nanoTime();
        try {
            return call.get().<CallResult<A>>handle((response, error) -> {
                permit.release();
                Duration took = Duration.ofNanos(System.nanoTime() - started);
                if (error == null) {
                    timing.accept(took, "ok");
                    return new CallResult.Answered<>(answer.apply(response));
                }
                SesError classified = classifier.classify(error);
                timing.accept(took, classified.kind().name().toLowerCase(Locale.ROOT));
                return new CallResult.Rejected<A>(classified);
            });
        } catch (RuntimeException e) {
            permit.release();
            throw e;
        }
    }
}
