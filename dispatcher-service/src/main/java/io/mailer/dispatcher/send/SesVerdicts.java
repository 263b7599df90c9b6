package io.mailer.dispatcher.send;

import io.mailer.dispatcher.ratelimit.RateLimiter;
import io.mailer.dispatcher.ses.SesError;
import io.mailer.dispatcher.ses.SesErrorKind;
import io.mailer.schemas.events.SendRequest;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an SES failure means, shared by SendEmail and SendBulkEmail so that a recipient gets the same
 * treatment in both modes: {@link #signal} applies what the error says about the account (pause on
 * SendingPaused/AccountSuspended/daily quota, slow down on 429) once per answer; {@link #decide}
 * says what becomes of one send (fail, hand to the retry tiers, defer, or try again after a wait).
 */
final class SesVerdicts {

    private static final Logger log = LoggerFactory.getLogger(SesVerdicts.class);

    /** The end of a send's attempts here, or another attempt after {@code wait}. */
    sealed interface Verdict {
        record Final(SendOutcome outcome) implements Verdict {
        }

        record Again(Duration delay) implements Verdict {
        }
    }

    private final RetryPolicy retry;
    private final SendGate gate;
    private final Duration accountPause;
    private final RateLimiter rateLimiter;
    private final DispatcherMetrics metrics;

    SesVerdicts(RetryPolicy retry, SendGate gate, Duration accountPause, RateLimiter rateLimiter,
            DispatcherMetrics metrics) {
        this.retry = retry;
        this.gate = gate;
        this.accountPause = accountPause;
        this.rateLimiter = rateLimiter;
        this.metrics = metrics;
    }

    /** The account-wide consequence of one SES answer carrying this error. */
    void signal(SesError error) {
        if (error.kind() == SesErrorKind.OPERATOR) {
            pauseForOperator(error);
        } else if (error.kind() == SesErrorKind.ACCOUNT_BLOCKED) {
            if (!gate.isPaused()) {
                log.warn("SES cannot send for this account ({}: {}); pausing for {}", error.code(), error.message(),
                        accountPause);
            }
            gate.pause(error.reason(), accountPause);
        } else if (error.kind() == SesErrorKind.THROTTLED) {
            // the rate was too high, not the message: slow down
            rateLimiter.onThrottled();
            metrics.throttled();
        }
    }

    private void pauseForOperator(SesError error) {
        if (!gate.isOperatorPause()) {
            log.error("SES refuses sends because of Mailer's setup ({}: {}); check IAM, credentials, identities and "
                    + "the configuration set. Pausing for {}, nothing is failed", error.code(), error.message(), accountPause);
        }
        metrics.operatorError(error.code());
        gate.pauseForOperator("operator:" + error.code(), accountPause);
    }

    /** A rejection naming an unverified identity, for a send that uses the operator's default From. */
    private static boolean unverifiedDefaultSender(SendRequest send, SesError error) {
        return (send.message() == null || send.message().from() == null || send.message().from().isBlank())
                && error.message() != null && error.message().toLowerCase(java.util.Locale.ROOT).contains("not verified");
    }

    /** The verdict for one send whose attempts (this one included) are {@code attempts}. */
    Verdict decide(SendRequest send, Attempts attempts, SesError error) {
        switch (error.kind()) {
            case ACCOUNT_BLOCKED, OPERATOR -> {
                return new Verdict.Final(new SendOutcome.Deferred(error.reason()));
            }
            case PERMANENT -> {
                if (unverifiedDefaultSender(send, error)) {
                    // MAIL_FROM is the operator's identity for every tenant that names no From
                    pauseForOperator(error);
                    return new Verdict.Final(new SendOutcome.Deferred(error.reason()));
                }
                log.info("send {} rejected by SES: {} {}", send.sendId(), error.code(), error.message());
                return new Verdict.Final(new SendOutcome.Failed(error.reason(), attempts.total()));
            }
            default -> {
                boolean throttled = error.kind() == SesErrorKind.THROTTLED;
                // throttling never uses up a retry attempt: the send goes back through the limiter
                if (!throttled && !retry.mayRetry(error.kind(), attempts.errors())) {
                    log.info("send {} still failing after {} attempts ({}): to the retry tiers", send.sendId(),
                            attempts.total(), error.code());
                    return new Verdict.Final(new SendOutcome.RetryLater(error.code(), attempts.total()));
                }
                Optional<String> closed = gate.closedReason();
                if (closed.isPresent()) {
                    return new Verdict.Final(new SendOutcome.Deferred(closed.get()));
                }
                metrics.retry(error.code());
                return new Verdict.Again(retry.backoff(throttled ? Math.min(attempts.throttled(), 3) : attempts.errors()));
            }
        }
    }
}
