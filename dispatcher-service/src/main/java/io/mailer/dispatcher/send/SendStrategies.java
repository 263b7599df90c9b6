package io.mailer.dispatcher.send;

import io.mailer.dispatcher.ledger.CancelledBatches;
import io.mailer.dispatcher.ledger.SendLedger;
import io.mailer.dispatcher.ratelimit.RateLimiter;
import io.mailer.dispatcher.render.TemplateRenderer;
import io.mailer.dispatcher.ses.SesBulkEmailFactory;
import io.mailer.dispatcher.ses.SesEmailFactory;
import io.mailer.dispatcher.ses.SesErrorClassifier;
import io.mailer.dispatcher.tenant.TenantGuard;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import software.amazon.awssdk.services.sesv2.SesV2AsyncClient;

/**
 * Builds the {@link SendPipeline} of {@code SES_SEND_MODE}: the modes differ only in their {@link Grouping}
 * and {@link SesOperation}; preparation, the call path, verdicts and retries are shared.
 */
public final class SendStrategies {

    public enum Mode {
        /** One SendEmail per send. */
        SINGLE,
        /** SendBulkEmail groups of up to 50 sends of the same batch. */
        BULK;

        public static Mode parse(String value) {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        }
    }

    private SendStrategies() {
    }

    /**
     * The pipeline of {@code mode}, with the reputation guard's tenant states (PAUSED tenants' sends
     * held, THROTTLED ones paced) and the bound on rendered messages.
     */
    @SuppressWarnings("checkstyle:ParameterNumber")
    public static SendStrategy create(Mode mode, TemplateRenderer renderer, SesEmailFactory emails,
            SesV2AsyncClient ses, RateLimiter rateLimiter, InFlightLimiter inFlight, ConcurrencyTuner tuner, RetryPolicy retry, SendGate gate,
            Duration accountPause, ScheduledExecutorService scheduler, DispatcherMetrics metrics, SendLedger ledger,
            CancelledBatches cancelled, TenantGuard tenants, PreparedMessages prepared) {
        SesErrorClassifier classifier = new SesErrorClassifier();
        SendPreparer preparer = new SendPreparer(gate, ledger, cancelled, renderer, emails, metrics, tenants);
        SesVerdicts verdicts = new SesVerdicts(retry, gate, accountPause, rateLimiter, metrics);
        SesCallPath path = new SesCallPath(rateLimiter, inFlight, tuner,
                new LastMomentCheck(gate, cancelled::isCancelled, tenants::isPaused), classifier);
        OneByOne oneByOne = new OneByOne(emails,
                new SesAttempts<>(new SendEmailOperation(ses, metrics), path, verdicts, ledger, scheduler, metrics));
        if (mode == Mode.SINGLE) {
            return new SendPipeline(preparer, () -> oneByOne, metrics, prepared);
        }
        SesBulkEmailFactory factory = new SesBulkEmailFactory(emails);
        SesAttempts<SendBulkEmailOperation.Part> bulk = new SesAttempts<>(
                new SendBulkEmailOperation(ses, factory, rateLimiter, classifier, metrics), path, verdicts, ledger, scheduler, metrics);
        // a grouping holds one poll's groups: a new one per poll
        return new SendPipeline(preparer, () -> new ByBatchMessage(oneByOne, factory, bulk), metrics, prepared);
    }
}
