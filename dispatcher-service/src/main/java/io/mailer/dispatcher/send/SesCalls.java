package io.mailer.dispatcher.send;

import io.mailer.dispatcher.ledger.SendLedger;
import io.mailer.dispatcher.ratelimit.RateLimiter;
import io.mailer.dispatcher.ses.SesErrorClassifier;
import java.util.concurrent.ScheduledExecutorService;
import software.amazon.awssdk.services.sesv2.SesV2AsyncClient;

/** What both send modes need around an SES call: the client, the limiters, the verdicts, the ledger. */
record SesCalls(SesV2AsyncClient ses, SesErrorClassifier classifier, RateLimiter rateLimiter, InFlightLimiter inFlight,
        SesVerdicts verdicts, SendGate gate, ScheduledExecutorService scheduler, DispatcherMetrics metrics,
        SendLedger ledger) {
}
