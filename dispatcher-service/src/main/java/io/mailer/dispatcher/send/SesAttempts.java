package io.mailer.dispatcher.send;

import io.mailer.dispatcher.ledger.SendLedger;
import io.mailer.dispatcher.ses.SesError;
import io.mailer.dispatcher.ses.SesErrorKind;
import io.mailer.schemas.events.SendRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SES attempts of a group of prepared sends (1..50 of the same batch and message; single mode is a
 * group of one): split into calls within the operation's limits → {@link SesCallPath} (window, slot,
 * rate turn, last-moment check, call, ledger) → each member's verdict ({@link SesVerdicts}) with its own
 * attempt count → the members to try again regrouped after the longest of their backoffs. Nothing here
 * blocks a thread: waits are scheduled, so one group's backoff never delays another.
 *
 * <ul>
 *   <li>a failed call (429, 5xx, network) counts for every member, a 429 without using an attempt;</li>
 *   <li>what an error says about the account is signalled once per answer and error kind;</li>
 *   <li>a call takes one in-flight slot (while SES answers), one rate permit and one duplicate-window
 *       place per member (until its accepted entries are in the ledger).</li>
 * </ul>
 *
 * @param <P> a member's part of the request ({@link SesOperation})
 */
final class SesAttempts<P> {

    private static final Logger log = LoggerFactory.getLogger(SesAttempts.class);

    /** One send of a group: its part of the request, its attempts so far, its outcome. */
    static final class Member<P> {
        final SendRequest send;
        final P part;
        final CompletableFuture<SendOutcome> outcome = new CompletableFuture<>();
        Attempts attempts = Attempts.NONE;

        Member(SendRequest send, P part) {
            this.send = send;
            this.part = part;
        }
    }

    private final SesOperation<P> operation;
    private final SesCallPath path;
    private final SesVerdicts verdicts;
    private final SendLedger ledger;
    private final ScheduledExecutorService scheduler;
    private final DispatcherMetrics metrics;

    SesAttempts(SesOperation<P> operation, SesCallPath path, SesVerdicts verdicts, SendLedger ledger,
            ScheduledExecutorService scheduler, DispatcherMetrics metrics) {
        this.operation = operation;
        this.path = path;
        this.verdicts = verdicts;
        this.ledger = ledger;
        this.scheduler = scheduler;
        this.metrics = metrics;
    }

    /** Starts the group's attempts; each member's outcome completes with its verdict (exceptionally only on a bug). */
    void start(List<Member<P>> members) {
        try {
            attemptAll(members);
        } catch (OutOfMemoryError e) {
            throw e;
        } catch (Throwable t) {
            // one record must never fail the poll
            fail(members, t);
        }
    }

    /** Splits the members into calls of at most the operation's members and data. */
    private void attemptAll(List<Member<P>> members) {
        int max = operation.maxMembers();
        long maxData = operation.maxData();
        List<Member<P>> call = new ArrayList<>(Math.min(max, members.size()));
        long data = 0;
        for (Member<P> m : members) {
            long length = operation.dataLength(m.part);
            if (!call.isEmpty() && (call.size() == max || data + length > maxData)) {
                attempt(call);
                call = new ArrayList<>(Math.min(max, members.size()));
                data = 0;
            }
            call.add(m);
            data += length;
        }
        if (!call.isEmpty()) {
            attempt(call);
        }
    }

    private void attempt(List<Member<P>> call) {
        SendRequest first = call.get(0).send;
        List<P> parts = call.stream().map(m -> m.part).toList();
        path.call(first.batchId(), first.tenantId(), call.size(),
                        permit -> operation.call(parts, permit),
                        (took, result) -> operation.timed(took, result, call.size()),
                        results -> recordAccepted(call, results))
                .thenAccept(result -> settle(call, result))
                .exceptionally(t -> {
                    fail(call, t);
                    return null;
                });
    }

    /** Every accepted member into the ledger, written together; a failed write is logged, not an error of the send. */
    private CompletableFuture<?> recordAccepted(List<Member<P>> call, List<EntryResult> results) {
        List<CompletableFuture<?>> writes = new ArrayList<>(call.size());
        for (int i = 0; i < call.size(); i++) {
            if (results.get(i) instanceof EntryResult.Accepted accepted) {
                String sendId = call.get(i).send.sendId();
                writes.add(ledger.record(sendId, accepted.sesMessageId()).exceptionally(error -> {
                    // the message went out; only the protection against a resend is missing
                    log.warn("send {} accepted by SES but not written to the ledger: {}", sendId, error.toString());
                    return null;
                }));
            }
        }
        return writes.size() == 1 ? writes.get(0) : CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
    }

    private void settle(List<Member<P>> call, CallResult result) {
        if (result instanceof CallResult.Skipped skipped) {
            call.forEach(m -> m.outcome.complete(new SendOutcome.Deferred(skipped.reason())));
            return;
        }
        if (result instanceof CallResult.Held held) {
            call.forEach(m -> m.outcome.complete(new SendOutcome.Held(held.reason())));
            return;
        }
        if (result instanceof CallResult.Withdrawn) {
            call.forEach(m -> {
                metrics.cancelledAtCall();
                m.outcome.complete(new SendOutcome.Cancelled());
            });
            return;
        }
        // a call that failed as a whole is the same error for every member
        List<EntryResult> results = result instanceof CallResult.Rejected rejected
                ? Collections.nCopies(call.size(), new EntryResult.Refused(rejected.error()))
                : ((CallResult.Answered) result).results();
        List<Member<P>> again = new ArrayList<>();
        Duration wait = Duration.ZERO;
        Set<SesErrorKind> signalled = EnumSet.noneOf(SesErrorKind.class);
        for (int i = 0; i < call.size(); i++) {
            Member<P> m = call.get(i);
            if (results.get(i) instanceof EntryResult.Accepted accepted) {
                m.attempts = m.attempts.after(null);
                m.outcome.complete(new SendOutcome.Sent(accepted.sesMessageId(), m.attempts.total()));
                continue;
            }
            SesError error = ((EntryResult.Refused) results.get(i)).error();
            if (signalled.add(error.kind())) {
                verdicts.signal(error);
            }
            wait = max(wait, judge(m, error, again));
        }
        if (!again.isEmpty()) {
            CompletableFuture.runAsync(() -> attemptAll(again),
                            CompletableFuture.delayedExecutor(wait.toMillis(), TimeUnit.MILLISECONDS, scheduler))
                    .exceptionally(t -> {
                        // the scheduler is gone (the context is closing) or a bug: the outcome's safety net decides
                        fail(again, t);
                        return null;
                    });
        }
    }

    /** The member's verdict: final (its outcome completes) or again (it joins {@code again}); returns the wait. */
    private Duration judge(Member<P> m, SesError error, List<Member<P>> again) {
        m.attempts = m.attempts.after(error.kind());
        SesVerdicts.Verdict verdict = verdicts.decide(m.send, m.attempts, error);
        if (verdict instanceof SesVerdicts.Verdict.Final f) {
            m.outcome.complete(f.outcome());
            return Duration.ZERO;
        }
        again.add(m);
        return ((SesVerdicts.Verdict.Again) verdict).delay();
    }

    private static <P> void fail(List<Member<P>> members, Throwable t) {
        members.forEach(m -> m.outcome.completeExceptionally(t));
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
