package io.mailer.dispatcher.send;

import io.mailer.schemas.events.SendRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a poll's sends to their {@link SendOutcome}s, the same path in both modes: prepare each send
 * ({@link SendPreparer}: ledger, cancellation, tenant, render) → group the ready ones ({@link Grouping}:
 * alone or by batch and message) → {@link SesAttempts} (window, slot, rate turn, call, ledger, verdict,
 * regroup). Here too: the outcome metric, the safety net that turns a bug into one send's outcome, and
 * the bound on rendered messages ({@link PreparedMessages}): when a send does not fit, the groups held
 * back so far are started first (they hold part of the budget) and the send waits for room.
 */
final class SendPipeline implements SendStrategy {

    private static final Logger log = LoggerFactory.getLogger(SendPipeline.class);

    private final SendPreparer preparer;
    private final Supplier<Grouping> groupings;
    private final DispatcherMetrics metrics;
    private final PreparedMessages prepared;

    SendPipeline(SendPreparer preparer, Supplier<Grouping> groupings, DispatcherMetrics metrics, PreparedMessages prepared) {
        this.preparer = preparer;
        this.groupings = groupings;
        this.metrics = metrics;
        this.prepared = prepared;
    }

    @Override
    public List<CompletableFuture<SendOutcome>> processAll(List<SendRequest> sends) {
        Grouping grouping = groupings.get();
        List<CompletableFuture<SendOutcome>> outcomes = new ArrayList<>(sends.size());
        for (SendRequest send : sends) {
            long size = PreparedMessages.size(send);
            if (!prepared.tryTake(size)) {
                grouping.startHeld();
                prepared.take(size);
            }
            CompletableFuture<SendOutcome> outcome;
            try {
                SendPreparer.Preparation preparation = preparer.prepare(send);
                outcome = preparation instanceof SendPreparer.Preparation.Ready ready ? grouping.add(ready)
                        : CompletableFuture.completedFuture(((SendPreparer.Preparation.Decided) preparation).outcome());
            } catch (OutOfMemoryError e) {
                prepared.giveBack(size);
                throw e;
            } catch (Throwable t) {
                // one record must never fail the poll (the container would retry it forever)
                outcome = CompletableFuture.failedFuture(t);
            }
            outcome.whenComplete((o, t) -> prepared.giveBack(size));
            outcomes.add(completed(send, outcome));
        }
        grouping.close();
        return outcomes;
    }

    /** The outcome metric and the safety net for bugs, for every send. */
    private CompletableFuture<SendOutcome> completed(SendRequest send, CompletableFuture<SendOutcome> outcome) {
        return outcome.exceptionally(t -> unexpected(send, t))
                .whenComplete((o, ignored) -> metrics.outcome(send.tenantId(), o));
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
