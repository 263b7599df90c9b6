package io.mailer.dispatcher.send;

import io.mailer.dispatcher.render.RenderedMessage;
import io.mailer.dispatcher.ses.AnswerTimeInterceptor;
import io.mailer.dispatcher.ses.SesBulkEmailFactory;
import io.mailer.dispatcher.ses.SesError;
import io.mailer.dispatcher.ses.SesErrorKind;
import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.events.SendRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.sesv2.model.BulkEmailEntryResult;
import software.amazon.awssdk.services.sesv2.model.BulkEmailStatus;
import software.amazon.awssdk.services.sesv2.model.SendBulkEmailResponse;

/**
 * {@code SES_SEND_MODE=bulk}: the sends of a poll that belong to the same batch are grouped into
 * {@code SendBulkEmail} calls of up to 50 destinations (fewer when the rate limit per second is
 * lower), each recipient keeping the guarantees of single mode:
 * <ul>
 *   <li>preparation is the same ({@link SendPreparer}: ledger hit, cancelled batch, rendering);</li>
 *   <li>each entry's status becomes that recipient's outcome through the same {@link SesVerdicts}
 *       (SES's per-entry statuses are mapped to SendEmail's error codes), with its own attempt
 *       count; the entries to try again are regrouped after the backoff;</li>
 *   <li>a failed call (429, 5xx, network) counts for every entry, a 429 without using an attempt;</li>
 *   <li>the rate limiter charges one permit per destination;</li>
 *   <li>a call takes one in-flight slot (while SES answers) and one place in the duplicate window per
 *       destination (until its accepted entries are in the ledger): the same window as single mode.</li>
 * </ul>
 * A send whose rendered message does not fit a bulk entry goes out with SendEmail.
 */
public final class BulkSendProcessor implements SendStrategy {

    private final SendPreparer preparer;
    private final SendProcessor single;
    private final SesBulkEmailFactory factory;
    private final SesCalls calls;

    BulkSendProcessor(SendPreparer preparer, SendProcessor single, SesBulkEmailFactory factory, SesCalls calls) {
        this.preparer = preparer;
        this.single = single;
        this.factory = factory;
        this.calls = calls;
    }

    /** Sends that may share a call: same batch and same message (From, Reply-To, headers, parts). */
    private record GroupKey(String batchId, String tenantId, MessageContent message) {
    }

    /** What the call's shared part is built from: the group's first send. */
    private record Group(SendRequest first, RenderedMessage firstRendered) {
    }

    /** One recipient of a group: its entry, its attempts so far, its outcome. */
    private static final class Member {
        final SendRequest send;
        final SesBulkEmailFactory.Entry entry;
        final CompletableFuture<SendOutcome> outcome = new CompletableFuture<>();
        Attempts attempts = Attempts.NONE;

        Member(SendRequest send, SesBulkEmailFactory.Entry entry) {
            this.send = send;
            this.entry = entry;
        }
    }

    @Override
    public List<CompletableFuture<SendOutcome>> processAll(List<SendRequest> sends) {
        List<CompletableFuture<SendOutcome>> outcomes = new ArrayList<>(sends.size());
        Map<GroupKey, List<Member>> members = new LinkedHashMap<>();
        Map<GroupKey, Group> groups = new LinkedHashMap<>();
        for (SendRequest send : sends) {
            CompletableFuture<SendOutcome> outcome;
            try {
                outcome = start(send, members, groups);
            } catch (OutOfMemoryError e) {
                throw e;
            } catch (Throwable t) {
                // one record must never fail the poll (see SendProcessor.process)
                outcome = CompletableFuture.failedFuture(t);
            }
            outcomes.add(single.completed(send, outcome));
        }
        members.forEach((key, list) -> attemptAll(groups.get(key), list));
        return outcomes;
    }

    /** Prepares one send: decided now, sent alone, or a member of its group (sent after the loop). */
    private CompletableFuture<SendOutcome> start(SendRequest send, Map<GroupKey, List<Member>> members,
            Map<GroupKey, Group> groups) {
        SendPreparer.Preparation preparation = preparer.prepare(send);
        if (!(preparation instanceof SendPreparer.Preparation.Ready ready)) {
            return CompletableFuture.completedFuture(((SendPreparer.Preparation.Decided) preparation).outcome());
        }
        SesBulkEmailFactory.Entry entry = factory.entry(send, ready.rendered());
        if (entry == null) {
            return single.send(ready);
        }
        GroupKey key = new GroupKey(send.batchId(), send.tenantId(), send.message());
        Member member = new Member(send, entry);
        members.computeIfAbsent(key, k -> new ArrayList<>()).add(member);
        groups.putIfAbsent(key, new Group(send, ready.rendered()));
        return member.outcome;
    }

    /** Splits the members into calls of at most 50 entries, the limiter's per-call maximum and the data cap. */
    private void attemptAll(Group group, List<Member> members) {
        int max = Math.max(1, Math.min(SesBulkEmailFactory.MAX_ENTRIES, calls.rateLimiter().maxRecipientsPerCall()));
        List<Member> call = new ArrayList<>(Math.min(max, members.size()));
        long data = 0;
        for (Member m : members) {
            if (!call.isEmpty() && (call.size() == max || data + m.entry.dataLength() > SesBulkEmailFactory.MAX_CALL_DATA)) {
                attempt(group, call);
                call = new ArrayList<>(Math.min(max, members.size()));
                data = 0;
            }
            call.add(m);
            data += m.entry.dataLength();
        }
        if (!call.isEmpty()) {
            attempt(group, call);
        }
    }

    private void attempt(Group group, List<Member> members) {
        calls.<SendBulkEmailResponse, List<BulkEmailEntryResult>>attempt(
                        group.first().batchId(), group.first().tenantId(), members.size(),
                        permit -> calls.ses().sendBulkEmail(factory.request(group.first(), group.firstRendered(),
                                members.stream().map(m -> m.entry.entry()).toList()).toBuilder()
                                .overrideConfiguration(o -> o.putExecutionAttribute(AnswerTimeInterceptor.PERMIT, permit)).build()),
                        response -> response.bulkEmailEntryResults(),
                        (took, result) -> calls.metrics().sesBulkCall(took, result, members.size()),
                        results -> recordInLedger(members, results))
                .thenAccept(result -> settle(group, members, result))
                .exceptionally(t -> {
                    members.forEach(m -> m.outcome.completeExceptionally(t));
                    return null;
                });
    }

    /** Every accepted entry into the ledger, written together. */
    private CompletableFuture<Void> recordInLedger(List<Member> members, List<BulkEmailEntryResult> results) {
        List<CompletableFuture<?>> writes = new ArrayList<>(members.size());
        for (int i = 0; i < members.size() && i < results.size(); i++) {
            BulkEmailEntryResult r = results.get(i);
            if (accepted(r)) {
                writes.add(calls.recordAccepted(members.get(i).send.sendId(), r.messageId()));
            }
        }
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
    }

    private void settle(Group group, List<Member> members, CallResult<List<BulkEmailEntryResult>> result) {
        if (result instanceof CallResult.Skipped<List<BulkEmailEntryResult>> skipped) {
            members.forEach(m -> m.outcome.complete(new SendOutcome.Deferred(skipped.reason())));
            return;
        }
        if (result instanceof CallResult.Held<List<BulkEmailEntryResult>> held) {
            members.forEach(m -> m.outcome.complete(new SendOutcome.Held(held.reason())));
            return;
        }
        if (result instanceof CallResult.Withdrawn<List<BulkEmailEntryResult>>) {
            members.forEach(m -> {
                calls.metrics().cancelledAtCall();
                m.outcome.complete(new SendOutcome.Cancelled());
            });
            return;
        }
        List<Member> again = new ArrayList<>();
        Duration wait = Duration.ZERO;
        if (result instanceof CallResult.Rejected<List<BulkEmailEntryResult>> rejected) {
            // the whole call failed: one signal for the account, the same error for every entry
            calls.verdicts().signal(rejected.error());
            for (Member m : members) {
                wait = max(wait, judge(m, rejected.error(), again));
            }
        } else {
            List<BulkEmailEntryResult> results = ((CallResult.Answered<List<BulkEmailEntryResult>>) result).answer();
            Set<SesErrorKind> signalled = EnumSet.noneOf(SesErrorKind.class);
            for (int i = 0; i < members.size(); i++) {
                Member m = members.get(i);
                BulkEmailEntryResult r = i < results.size() ? results.get(i) : null;
                if (accepted(r)) {
                    m.attempts = m.attempts.after(null);
                    m.outcome.complete(new SendOutcome.Sent(r.messageId(), m.attempts.total()));
                    continue;
                }
                SesError error = r == null
                        ? new SesError("BulkResultMissing", SesErrorKind.RETRYABLE, 200, "fewer results than entries")
                        : calls.classifier().classifyBulkEntry(r.status(), r.error());
                if (signalled.add(error.kind())) {
                    calls.verdicts().signal(error);
                }
                wait = max(wait, judge(m, error, again));
            }
        }
        if (!again.isEmpty()) {
            CompletableFuture.runAsync(() -> attemptAll(group, again), SendProcessor.after(wait, calls.scheduler()))
                    .exceptionally(t -> {
                        again.forEach(m -> m.outcome.completeExceptionally(t));
                        return null;
                    });
        }
    }

    /** The member's verdict: final (its outcome completes) or again (it joins {@code again}); returns the wait. */
    private Duration judge(Member m, SesError error, List<Member> again) {
        m.attempts = m.attempts.after(error.kind());
        SesVerdicts.Verdict verdict = calls.verdicts().decide(m.send, m.attempts, error);
        if (verdict instanceof SesVerdicts.Verdict.Final f) {
            m.outcome.complete(f.outcome());
            return Duration.ZERO;
        }
        again.add(m);
        return ((SesVerdicts.Verdict.Again) verdict).delay();
    }

    private static boolean accepted(BulkEmailEntryResult r) {
        return r != null && r.status() == BulkEmailStatus.SUCCESS && r.messageId() != null;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
