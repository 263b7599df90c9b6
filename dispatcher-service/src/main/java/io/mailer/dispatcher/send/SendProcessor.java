package io.mailer.dispatcher.send;

import io.mailer.dispatcher.ledger.CancelledBatches;
import io.mailer.dispatcher.ledger.SendLedger;
import io.mailer.dispatcher.ratelimit.RateLimiter;
import io.mailer.dispatcher.render.RenderedMessage;
import io.mailer.dispatcher.render.RenderingException;
import io.mailer.dispatcher.render.TemplateRenderer;
import io.mailer.dispatcher.ses.SesEmailFactory;
import io.mailer.dispatcher.ses.SesError;
import io.mailer.dispatcher.ses.SesErrorClassifier;
import io.mailer.dispatcher.ses.SesErrorKind;
import io.mailer.schemas.events.SendRequest;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sesv2.SesV2AsyncClient;
import software.amazon.awssdk.services.sesv2.model.SendEmailRequest;

/**
 * Takes one send from request to {@link SendOutcome}: render, build the SES request, then attempt
 * it (rate limit → in-flight slot → SES call) and retry retryable failures after a backoff. Nothing
 * here blocks a thread: waits are scheduled, so one send's backoff never delays another send.
 */
public final class SendProcessor {

    private static final Logger log = LoggerFactory.getLogger(SendProcessor.class);

    private final TemplateRenderer renderer;
    private final SesEmailFactory emails;
    private final SesV2AsyncClient ses;
    private final SesErrorClassifier classifier;
    private final RateLimiter rateLimiter;
    private final InFlightLimiter inFlight;
    private final RetryPolicy retry;
    private final SendGate gate;
    private final Duration accountPause;
    private final ScheduledExecutorService scheduler;
    private final DispatcherMetrics metrics;
    private final SendLedger ledger;
    private final CancelledBatches cancelled;

    public SendProcessor(TemplateRenderer renderer, SesEmailFactory emails, SesV2AsyncClient ses,
            SesErrorClassifier classifier, RateLimiter rateLimiter, InFlightLimiter inFlight, RetryPolicy retry,
            SendGate gate, Duration accountPause, ScheduledExecutorService scheduler, DispatcherMetrics metrics,
            SendLedger ledger, CancelledBatches cancelled) {
        this.ledger = ledger;
        this.cancelled = cancelled;
        this.renderer = renderer;
        this.emails = emails;
        this.ses = ses;
        this.classifier = classifier;
        this.rateLimiter = rateLimiter;
        this.inFlight = inFlight;
        this.retry = retry;
        this.gate = gate;
        this.accountPause = accountPause;
        this.scheduler = scheduler;
        this.metrics = metrics;
    }

    /** Never completes exceptionally: every failure is an outcome. */
    public CompletableFuture<SendOutcome> process(SendRequest send) {
        return start(send)
                .exceptionally(t -> unexpected(send, t))
                .whenComplete((outcome, ignored) -> metrics.outcome(send.tenantId(), outcome));
    }

    private CompletableFuture<SendOutcome> start(SendRequest send) {
        Optional<String> closed = gate.closedReason();
        if (closed.isPresent()) {
            return CompletableFuture.completedFuture(new SendOutcome.Deferred(closed.get()));
        }
        Optional<String> accepted = ledger.acceptedMessageId(send.sendId());
        if (accepted.isPresent()) {
            // SES took it before (a redelivery after a crash or rebalance): report it, never resend
            metrics.ledgerHit();
            return CompletableFuture.completedFuture(new SendOutcome.Sent(accepted.get(), 0));
        }
        if (cancelled.isCancelled(send.batchId())) {
            return CompletableFuture.completedFuture(new SendOutcome.Cancelled());
        }
        RenderedMessage rendered;
        try {
            rendered = renderer.render(send);
        } catch (RenderingException e) {
            log.info("send {} not rendered: {}", send.sendId(), e.getMessage());
            return CompletableFuture.completedFuture(new SendOutcome.Failed("rendering:" + e.getMessage(), 0));
        }
        SendEmailRequest request;
        try {
            request = emails.build(send, rendered);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(new SendOutcome.Failed("dispatcher:" + e.getMessage(), 0));
        }
        return attempt(send, request, Attempts.NONE);
    }

    private CompletableFuture<SendOutcome> attempt(SendRequest send, SendEmailRequest request, Attempts before) {
        // the slot first, then the rate turn: a send that passed the rate limiter and then queued for
        // a slot would start late, together with others, and burst above the rate at SES
        return inFlight.submit(() -> rateLimiter.acquire(1).thenCompose(ready -> call(send, request)))
                .thenCompose(result -> decide(send, request, before, result));
    }

    /**
     * One SES call, or none when the gate closed while this send waited for its turn. The in-flight
     * slot is held until an accepted send is in the ledger, so at any moment at most
     * WORKER_CONCURRENCY sends can be accepted by SES and not yet recorded: the duplicate window.
     */
    private CompletableFuture<CallResult> call(SendRequest send, SendEmailRequest request) {
        Optional<String> closed = gate.closedReason();
        if (closed.isPresent()) {
            return CompletableFuture.completedFuture(new CallResult.Skipped(closed.get()));
        }
        long started = System.nanoTime();
        return ses.sendEmail(request).handle((response, error) -> {
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            if (error == null) {
                metrics.sesCall(took, "ok");
                return (CallResult) new CallResult.Accepted(response.messageId());
            }
            SesError classified = classifier.classify(error);
            metrics.sesCall(took, classified.kind().name().toLowerCase(Locale.ROOT));
            return new CallResult.Rejected(classified);
        }).thenCompose(result -> result instanceof CallResult.Accepted a ? recordInLedger(send, a) : done(result));
    }

    private CompletableFuture<CallResult> recordInLedger(SendRequest send, CallResult.Accepted accepted) {
        return ledger.record(send.sendId(), accepted.messageId()).handle((ok, error) -> {
            if (error != null) {
                // the message went out; only the protection against a resend is missing
                log.warn("send {} accepted by SES but not written to the ledger: {}", send.sendId(), error.toString());
            }
            return accepted;
        });
    }

    private CompletableFuture<SendOutcome> decide(SendRequest send, SendEmailRequest request, Attempts before,
            CallResult result) {
        if (result instanceof CallResult.Skipped skipped) {
            return done(new SendOutcome.Deferred(skipped.reason()));
        }
        Attempts attempts = result instanceof CallResult.Rejected r ? before.after(r.error().kind()) : before.after(null);
        if (result instanceof CallResult.Accepted accepted) {
            return done(new SendOutcome.Sent(accepted.messageId(), attempts.total()));
        }
        SesError error = ((CallResult.Rejected) result).error();
        switch (error.kind()) {
            case ACCOUNT_BLOCKED -> {
                gate.pause(error.reason(), accountPause);
                log.warn("SES cannot send for this account ({}: {}); pausing for {}", error.code(), error.message(),
                        accountPause);
                return done(new SendOutcome.Deferred(error.reason()));
            }
            case PERMANENT -> {
                log.info("send {} rejected by SES: {} {}", send.sendId(), error.code(), error.message());
                return done(new SendOutcome.Failed(error.reason(), attempts.total()));
            }
            default -> {
                boolean throttled = error.kind() == SesErrorKind.THROTTLED;
                if (throttled) {
                    // the rate was too high, not the message: slow down and put it back, no attempt used
                    rateLimiter.onThrottled();
                    metrics.throttled();
                }
                if (!throttled && !retry.mayRetry(error.kind(), attempts.errors())) {
                    log.info("send {} still failing after {} attempts ({}): to the retry tiers", send.sendId(),
                            attempts.total(), error.code());
                    return done(new SendOutcome.RetryLater(error.code(), attempts.total()));
                }
                Optional<String> closed = gate.closedReason();
                if (closed.isPresent()) {
                    return done(new SendOutcome.Deferred(closed.get()));
                }
                metrics.retry(error.code());
                Duration wait = retry.backoff(throttled ? Math.min(attempts.throttled(), 3) : attempts.errors());
                return CompletableFuture.runAsync(() -> { }, after(wait))
                        .thenCompose(ready -> attempt(send, request, attempts));
            }
        }
    }

    private Executor after(Duration wait) {
        return CompletableFuture.delayedExecutor(wait.toMillis(), TimeUnit.MILLISECONDS, scheduler);
    }

    private SendOutcome unexpected(SendRequest send, Throwable t) {
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (cause instanceof RejectedExecutionException) {
            // the scheduler is gone: the context is closing; leave the send for redelivery
            return new SendOutcome.Deferred("shutting-down");
        }
        log.error("send {} failed unexpectedly", send.sendId(), cause);
        return new SendOutcome.Failed("dispatcher:" + cause.getClass().getSimpleName(), 0);
    }

    private static <T> CompletableFuture<T> done(T outcome) {
        return CompletableFuture.completedFuture(outcome);
    }

    /** Attempts so far, by what they ended in: the two retry budgets are counted separately. */
    private record Attempts(int total, int errors, int throttled) {
        static final Attempts NONE = new Attempts(0, 0, 0);

        Attempts after(SesErrorKind kind) {
            return new Attempts(total + 1,
                    errors + (kind == SesErrorKind.RETRYABLE ? 1 : 0),
                    throttled + (kind == SesErrorKind.THROTTLED ? 1 : 0));
        }
    }

    private sealed interface CallResult {
        record Accepted(String messageId) implements CallResult {
        }

        record Rejected(SesError error) implements CallResult {
        }

        record Skipped(String reason) implements CallResult {
        }
    }
}
