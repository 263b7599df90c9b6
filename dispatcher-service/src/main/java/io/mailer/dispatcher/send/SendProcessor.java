package io.mailer.dispatcher.send;

import io.mailer.dispatcher.ses.AnswerTimeInterceptor;
import io.mailer.dispatcher.ses.SesEmailFactory;
import io.mailer.dispatcher.ses.SesError;
import io.mailer.schemas.events.SendRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sesv2.model.SendEmailRequest;
import software.amazon.awssdk.services.sesv2.model.SendEmailResponse;

/**
 * {@code SES_SEND_MODE=single}: one {@code SendEmail} per send. Takes a send from request to
 * {@link SendOutcome}: prepare (ledger, cancellation, render), then attempt it ({@link SesCalls#attempt}:
 * window → in-flight slot → rate turn → SES call → ledger entry) and retry retryable failures after a backoff. Nothing here blocks a
 * thread: waits are scheduled, so one send's backoff never delays another send.
 */
public final class SendProcessor implements SendStrategy {

    private static final Logger log = LoggerFactory.getLogger(SendProcessor.class);

    private final SendPreparer preparer;
    private final SesEmailFactory emails;
    private final SesCalls calls;

    SendProcessor(SendPreparer preparer, SesEmailFactory emails, SesCalls calls) {
        this.preparer = preparer;
        this.emails = emails;
        this.calls = calls;
    }

    @Override
    public List<CompletableFuture<SendOutcome>> processAll(List<SendRequest> sends) {
        return sends.stream().map(this::process).toList();
    }

    /** Never throws and never completes exceptionally: every failure is this send's outcome. */
    public CompletableFuture<SendOutcome> process(SendRequest send) {
        CompletableFuture<SendOutcome> outcome;
        try {
            SendPreparer.Preparation preparation = preparer.prepare(send);
            outcome = preparation instanceof SendPreparer.Preparation.Ready ready ? send(ready)
                    : CompletableFuture.completedFuture(((SendPreparer.Preparation.Decided) preparation).outcome());
        } catch (OutOfMemoryError e) {
            throw e;
        } catch (Throwable t) {
            // one record must never fail the poll (the container would retry it forever)
            outcome = CompletableFuture.failedFuture(t);
        }
        return completed(send, outcome);
    }

    /** Sends an already prepared send with SendEmail (bulk mode uses it for sends too large to group). */
    CompletableFuture<SendOutcome> send(SendPreparer.Preparation.Ready ready) {
        SendEmailRequest request;
        try {
            request = emails.build(ready.send(), ready.rendered());
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(new SendOutcome.Failed("dispatcher:" + e.getMessage(), 0));
        }
        return attempt(ready.send(), request, Attempts.NONE);
    }

    /** The outcome metric and the safety net for bugs, for every send of either mode. */
    CompletableFuture<SendOutcome> completed(SendRequest send, CompletableFuture<SendOutcome> outcome) {
        return outcome.exceptionally(t -> unexpected(send, t))
                .whenComplete((o, ignored) -> calls.metrics().outcome(send.tenantId(), o));
    }

    private CompletableFuture<SendOutcome> attempt(SendRequest send, SendEmailRequest request, Attempts before) {
        return calls.<SendEmailResponse, String>attempt(send.batchId(), send.tenantId(), 1,
                        permit -> calls.ses().sendEmail(request.toBuilder().overrideConfiguration(o -> o.putExecutionAttribute(
                                AnswerTimeInterceptor.PERMIT, permit)).build()),
                        response -> response.messageId(),
                        (took, result) -> calls.metrics().sesCall(took, result),
                        messageId -> calls.recordAccepted(send.sendId(), messageId))
                .thenCompose(result -> decide(send, request, before, result));
    }

    private CompletableFuture<SendOutcome> decide(SendRequest send, SendEmailRequest request, Attempts before,
            CallResult<String> result) {
        if (result instanceof CallResult.Skipped<String> skipped) {
            return CompletableFuture.completedFuture(new SendOutcome.Deferred(skipped.reason()));
        }
        if (result instanceof CallResult.Held<String> held) {
            return CompletableFuture.completedFuture(new SendOutcome.Held(held.reason()));
        }
        if (result instanceof CallResult.Withdrawn<String>) {
            calls.metrics().cancelledAtCall();
            return CompletableFuture.completedFuture(new SendOutcome.Cancelled());
        }
        if (result instanceof CallResult.Answered<String> accepted) {
            return CompletableFuture.completedFuture(new SendOutcome.Sent(accepted.answer(), before.total() + 1));
        }
        SesError error = ((CallResult.Rejected<String>) result).error();
        Attempts attempts = before.after(error.kind());
        calls.verdicts().signal(error);
        SesVerdicts.Verdict verdict = calls.verdicts().decide(send, attempts, error);
        if (verdict instanceof SesVerdicts.Verdict.Final f) {
            return CompletableFuture.completedFuture(f.outcome());
        }
        Duration wait = ((SesVerdicts.Verdict.Again) verdict).delay();
        return CompletableFuture.runAsync(() -> { }, after(wait, calls.scheduler()))
                .thenCompose(ready -> attempt(send, request, attempts));
    }

    static java.util.concurrent.Executor after(Duration wait, ScheduledExecutorService scheduler) {
        return CompletableFuture.delayedExecutor(wait.toMillis(), TimeUnit.MILLISECONDS, scheduler);
    }

    private static SendOutcome unexpected(SendRequest send, Throwable t) {
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (cause instanceof RejectedExecutionException) {
            // the scheduler is gone: the context is closing; leave the send for redelivery
            return new SendOutcome.Deferred("shutting-down");
        }
        log.error("send {} failed unexpectedly", send.sendId(), cause);
        return new SendOutcome.Failed("dispatcher:" + cause.getClass().getSimpleName(), 0);
    }
}
