package io.mailer.dispatcher.send;

import io.mailer.dispatcher.ratelimit.RateLimiter;
import io.mailer.dispatcher.ratelimit.RatePermit;
import io.mailer.dispatcher.ses.SesError;
import io.mailer.dispatcher.ses.SesErrorClassifier;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The path of every SES call, whatever the mode: a place in the duplicate window → an in-flight slot →
 * the rate turn → the {@link LastMomentCheck} → the call → the slot back as soon as SES answered →
 * {@code record} (the accepted sends into the ledger) → the window place back once the ledger
 * acknowledged. The slot is not held through the ledger write, so SES concurrency is not spent waiting
 * on Kafka; the window bounds what a crash can duplicate.
 */
final class SesCallPath {

    private final RateLimiter rateLimiter;
    private final InFlightLimiter inFlight;
    private final ConcurrencyTuner tuner;
    private final LastMomentCheck lastMoment;
    private final SesErrorClassifier classifier;

    SesCallPath(RateLimiter rateLimiter, InFlightLimiter inFlight, ConcurrencyTuner tuner, LastMomentCheck lastMoment,
            SesErrorClassifier classifier) {
        this.rateLimiter = rateLimiter;
        this.inFlight = inFlight;
        this.tuner = tuner;
        this.lastMoment = lastMoment;
        this.classifier = classifier;
    }

    /**
     * One SES call for {@code recipients} sends of {@code batchId}; {@code timing} records its duration
     * with "ok" or the error kind; {@code record} writes the accepted ones to the ledger.
     */
    CompletableFuture<CallResult> call(String batchId, String tenantId, int recipients,
            Function<RatePermit, CompletableFuture<List<EntryResult>>> call, BiConsumer<Duration, String> timing,
            Function<List<EntryResult>, CompletableFuture<?>> record) {
        return tuner.window().submit(recipients, () -> inFlight.<CallResult>submit(() -> rateLimiter.acquire(recipients)
                        // the slot first, then the rate turn: a send that passed the rate limiter and then
                        // queued for a slot would start late, together with others, and burst above the rate
                        .thenCompose(permit -> invoke(batchId, tenantId, permit, call, (took, result) -> {
                            tuner.callAnswered(took.toNanos(), recipients);
                            timing.accept(took, result);
                        })))
                .thenCompose(result -> result instanceof CallResult.Answered answered ? recorded(answered, record)
                        : CompletableFuture.completedFuture(result)));
    }

    private CompletableFuture<CallResult> recorded(CallResult.Answered answered,
            Function<List<EntryResult>, CompletableFuture<?>> record) {
        long started = System.nanoTime();
        CompletableFuture<?> written;
        try {
            written = record.apply(answered.results());
        } catch (RuntimeException e) {
            written = CompletableFuture.failedFuture(e);
        }
        return written.handle((ok, error) -> {
            tuner.ledgerAcknowledged(System.nanoTime() - started);
            return answered;
        });
    }

    /**
     * The call under {@code permit}, or none when the last-moment check refuses it (the turn is given
     * back unused: the next send takes it at once). The permit is given back as soon as the answer (or
     * the failure to call) is known; an error is classified.
     */
    private CompletableFuture<CallResult> invoke(String batchId, String tenantId, RatePermit permit,
            Function<RatePermit, CompletableFuture<List<EntryResult>>> call, BiConsumer<Duration, String> timing) {
        Optional<CallResult> refusal = lastMoment.refusal(batchId, tenantId);
        if (refusal.isPresent()) {
            permit.unused();
            return CompletableFuture.completedFuture(refusal.get());
        }
        long started = System.nanoTime();
        try {
            return call.apply(permit).<CallResult>handle((results, error) -> {
                permit.release();
                Duration took = Duration.ofNanos(System.nanoTime() - started);
                if (error == null) {
                    timing.accept(took, "ok");
                    return new CallResult.Answered(results);
                }
                SesError classified = classifier.classify(error);
                timing.accept(took, classified.kind().name().toLowerCase(Locale.ROOT));
                return new CallResult.Rejected(classified);
            });
        } catch (RuntimeException e) {
            permit.release();
            throw e;
        }
    }
}
