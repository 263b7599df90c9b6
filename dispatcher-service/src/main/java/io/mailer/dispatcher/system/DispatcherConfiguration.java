package io.mailer.dispatcher.system;

import io.mailer.dispatcher.DispatcherProperties;
import io.mailer.dispatcher.account.AccountMonitor;
import io.mailer.dispatcher.kafka.ConsumptionPauser;
import io.mailer.dispatcher.ledger.CancelledBatches;
import io.mailer.dispatcher.ledger.SendLedger;
import io.mailer.dispatcher.ratelimit.RateLimiter;
import io.mailer.dispatcher.ratelimit.SharedRateLimiter;
import io.mailer.dispatcher.render.TemplateRenderer;
import io.mailer.dispatcher.send.DispatcherMetrics;
import io.mailer.dispatcher.send.ConcurrencyTuner;
import io.mailer.dispatcher.send.InFlightLimiter;
import io.mailer.dispatcher.send.RetryPolicy;
import io.mailer.dispatcher.send.PreparedMessages;
import io.mailer.dispatcher.send.SendGate;
import io.mailer.dispatcher.send.SendStrategies;
import io.mailer.dispatcher.send.SendStrategy;
import io.mailer.dispatcher.ses.SesEmailFactory;
import io.mailer.dispatcher.unsubscribe.UnsubscribeHeaders;
import io.mailer.schemas.unsubscribe.UnsubscribeToken;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;
import software.amazon.awssdk.services.sesv2.SesV2AsyncClient;

/** The sending pipeline: rendering, SES request building, pacing, retries and the send gate. */
@Configuration(proxyBeanMethods = false)
class DispatcherConfiguration {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    /** Timers only (backoffs, rate-limit turns, resuming after a pause): tasks never block. */
    @Bean(destroyMethod = "shutdownNow")
    ScheduledExecutorService dispatcherScheduler() {
        AtomicInteger n = new AtomicInteger();
        return Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "dispatcher-timer-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @Bean
    SendGate sendGate(Clock clock) {
        return new SendGate(clock);
    }

    /**
     * Closes the send gate when shutdown begins, before the container stops (higher phase stops
     * first): waiting retries and rate-limit turns end as deferred, in-flight SES calls complete.
     */
    @Bean
    SmartLifecycle sendGateShutdown(SendGate gate) {
        return new SmartLifecycle() {
            private volatile boolean running;

            @Override
            public void start() {
                running = true;
            }

            @Override
            public void stop() {
                gate.shutDown();
                running = false;
            }

            @Override
            public boolean isRunning() {
                return running;
            }

            @Override
            public int getPhase() {
                return AbstractMessageListenerContainer.DEFAULT_PHASE + 1;
            }
        };
    }

    @Bean
    InFlightLimiter inFlightLimiter(DispatcherProperties properties) {
        return new InFlightLimiter(properties.workerConcurrency());
    }

    /** Sizes the in-flight calls and the duplicate window to the rate and the measured latencies, every 250 ms. */
    @Bean
    ConcurrencyTuner concurrencyTuner(InFlightLimiter inFlight, SharedRateLimiter rateLimiter, DispatcherProperties properties,
            ScheduledExecutorService dispatcherScheduler, DispatcherMetrics metrics) {
        ConcurrencyTuner tuner = new ConcurrencyTuner(inFlight, properties.workerConcurrency(), properties.duplicateWindow(),
                rateLimiter::currentRate);
        dispatcherScheduler.scheduleWithFixedDelay(tuner::retune, 250, 250, java.util.concurrent.TimeUnit.MILLISECONDS);
        metrics.watch(tuner);
        return tuner;
    }

    @Bean
    DispatcherMetrics dispatcherMetrics(MeterRegistry registry, InFlightLimiter inFlight, SendGate gate) {
        return new DispatcherMetrics(registry, inFlight, gate);
    }

    /** Starts at SES_MAX_SEND_RATE, else 1/s (SES's sandbox rate) until GetAccount answers. */
    @Bean
    SharedRateLimiter rateLimiter(DispatcherProperties properties, ScheduledExecutorService dispatcherScheduler,
            DispatcherMetrics metrics) {
        Double rate = properties.ses().maxSendRate();
        DispatcherProperties.Rate r = properties.rate();
        SharedRateLimiter limiter = new SharedRateLimiter(rate == null ? 1.0 : rate, r.decrease(), r.increase(),
                dispatcherScheduler, System::nanoTime, r.windowEnd());
        metrics.watch(limiter);
        return limiter;
    }

    @Bean
    AccountMonitor accountMonitor(SesV2AsyncClient ses, SharedRateLimiter rateLimiter, DispatcherProperties properties,
            SendGate gate, ScheduledExecutorService dispatcherScheduler, ConsumptionPauser pauser) {
        DispatcherProperties.Rate r = properties.rate();
        AccountMonitor monitor = new AccountMonitor(ses, rateLimiter, properties.ses().maxSendRate() != null, gate,
                dispatcherScheduler, r.accountRefresh(), r.pausedAccountRefresh(), properties.accountPause(),
                pauser::resumeNow);
        monitor.refreshNow(Duration.ofSeconds(10));
        return monitor;
    }

    @Bean
    TemplateRenderer templateRenderer(DispatcherProperties properties) {
        return new TemplateRenderer(properties.templateCacheSize());
    }

    @Bean
    SesEmailFactory sesEmailFactory(DispatcherProperties properties) {
        DispatcherProperties.Unsubscribe u = properties.unsubscribe();
        UnsubscribeHeaders unsubscribe = u.enabled()
                ? new UnsubscribeHeaders(u.baseUrl(), new UnsubscribeToken(u.secret())) : null;
        return new SesEmailFactory(properties.mailFrom(), properties.ses().configurationSet(), unsubscribe);
    }

    @Bean
    PreparedMessages preparedMessages(DispatcherProperties properties, DispatcherMetrics metrics) {
        if (properties.preparedMessages() < 0) {
            throw new IllegalStateException("mailer.dispatcher.prepared-messages must be 0 (an eighth of the heap) or"
                    + " a positive number of characters, not " + properties.preparedMessages());
        }
        PreparedMessages prepared = properties.preparedMessages() > 0
                ? new PreparedMessages(properties.preparedMessages()) : PreparedMessages.ofHeap();
        metrics.watch(prepared);
        return prepared;
    }

    @Bean
    SendStrategy sendStrategy(TemplateRenderer renderer, SesEmailFactory emails, SesV2AsyncClient ses,
            RateLimiter rateLimiter, InFlightLimiter inFlight, ConcurrencyTuner tuner, SendGate gate, DispatcherProperties properties,
            ScheduledExecutorService dispatcherScheduler, DispatcherMetrics metrics, SendLedger ledger,
            CancelledBatches cancelledBatches, io.mailer.dispatcher.tenant.TenantGuard tenantGuard, PreparedMessages prepared) {
        DispatcherProperties.Retry r = properties.retry();
        return SendStrategies.create(properties.ses().sendMode(), renderer, emails, ses, rateLimiter, inFlight, tuner,
                new RetryPolicy(r.maxAttempts(), r.maxThrottledAttempts(), r.initialBackoff(), r.maxBackoff()),
                gate, properties.accountPause(), dispatcherScheduler, metrics, ledger, cancelledBatches, tenantGuard, prepared);
    }
}
