package io.mailer.dispatcher.send;

import io.mailer.dispatcher.ledger.CancelledBatches;
import io.mailer.dispatcher.ledger.SendLedger;
import io.mailer.dispatcher.render.RenderedMessage;
import io.mailer.dispatcher.render.RenderingException;
import io.mailer.dispatcher.render.TemplateRenderer;
import io.mailer.dispatcher.ses.SesEmailFactory;
import io.mailer.dispatcher.tenant.TenantGuard;
import io.mailer.schemas.events.SendRequest;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything decided about a send before SES is involved, the same in both send modes: gate closed →
 * deferred; in the ledger → SENT with the recorded id (never resent); batch cancelled → CANCELLED;
 * tenant PAUSED → held, tenant THROTTLED past its slice → throttled (parked);
 * rendering or From missing → FAILED; otherwise ready to send, rendered.
 */
final class SendPreparer {

    private static final Logger log = LoggerFactory.getLogger(SendPreparer.class);

    sealed interface Preparation {
        record Ready(SendRequest send, RenderedMessage rendered) implements Preparation {
        }

        record Decided(SendOutcome outcome) implements Preparation {
        }
    }

    /** Reason of a send deferred because its partition's ledger entries are still being read. */
    static final String LEDGER_CATCHING_UP = "ledger-catching-up";
    /** Reason of a send deferred because the cancellations written before this replica started are still being read. */
    static final String CANCELLATIONS_CATCHING_UP = "cancellations-catching-up";

    private final SendGate gate;
    private final SendLedger ledger;
    private final CancelledBatches cancelled;
    private final TemplateRenderer renderer;
    private final SesEmailFactory emails;
    private final DispatcherMetrics metrics;
    private final TenantGuard tenants;

    SendPreparer(SendGate gate, SendLedger ledger, CancelledBatches cancelled, TemplateRenderer renderer,
            SesEmailFactory emails, DispatcherMetrics metrics, TenantGuard tenants) {
        this.tenants = tenants;
        this.gate = gate;
        this.ledger = ledger;
        this.cancelled = cancelled;
        this.renderer = renderer;
        this.emails = emails;
        this.metrics = metrics;
    }

    Preparation prepare(SendRequest send) {
        Optional<String> closed = gate.closedReason();
        if (closed.isPresent()) {
            return decided(new SendOutcome.Deferred(closed.get()));
        }
        if (!cancelled.isReady()) {
            // a replica that just started must not send what was cancelled before it started
            return decided(new SendOutcome.Deferred(CANCELLATIONS_CATCHING_UP));
        }
        if (!ledger.isCaughtUpFor(send.sendId())) {
            // never send without knowing whether the previous owner already did
            return decided(new SendOutcome.Deferred(LEDGER_CATCHING_UP));
        }
        Optional<String> accepted = ledger.acceptedMessageId(send.sendId());
        if (accepted.isPresent()) {
            // SES took it before (a redelivery after a crash or rebalance): report it, never resend
            metrics.ledgerHit();
            return decided(new SendOutcome.Sent(accepted.get(), 0));
        }
        if (cancelled.isCancelled(send.batchId())) {
            return decided(new SendOutcome.Cancelled());
        }
        // after the ledger (a send SES took is SENT whatever its tenant's state) and the cancel
        TenantGuard.Verdict verdict = tenants.check(send.tenantId(), send.sendId());
        if (verdict instanceof TenantGuard.Verdict.NotReady) {
            return decided(new SendOutcome.Deferred(TenantGuard.CATCHING_UP));
        }
        if (verdict instanceof TenantGuard.Verdict.Hold hold) {
            return decided(new SendOutcome.Held(hold.reason()));
        }
        if (verdict instanceof TenantGuard.Verdict.Throttle throttle) {
            return decided(new SendOutcome.Throttled(throttle.delay()));
        }
        RenderedMessage rendered;
        try {
            rendered = renderer.render(send);
        } catch (RenderingException e) {
            log.info("send {} not rendered: {}", send.sendId(), e.getMessage());
            return decided(new SendOutcome.Failed("rendering:" + e.getMessage(), 0));
        }
        if (emails.from(send) == null) {
            return decided(new SendOutcome.Failed("dispatcher:" + SesEmailFactory.NO_FROM, 0));
        }
        return new Preparation.Ready(send, rendered);
    }

    private static Preparation decided(SendOutcome outcome) {
        return new Preparation.Decided(outcome);
    }
}
