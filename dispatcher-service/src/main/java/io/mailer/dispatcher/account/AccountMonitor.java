package io.mailer.dispatcher.account;

import io.mailer.dispatcher.ratelimit.SharedRateLimiter;
import io.mailer.dispatcher.send.SendGate;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import software.amazon.awssdk.services.sesv2.SesV2AsyncClient;
import software.amazon.awssdk.services.sesv2.model.GetAccountResponse;
import software.amazon.awssdk.services.sesv2.model.SendQuota;

/**
 * Reads SES {@code GetAccount} every {@code refresh} (every {@code pausedRefresh} while sending is
 * paused, so a pause ends within seconds of SES allowing sending again) and applies it: MaxSendRate becomes the global rate unless {@code SES_MAX_SEND_RATE} is
 * set; SendingEnabled=false or an exhausted 24-hour quota closes the send gate; sending enabled
 * again with quota left opens it.
 */
public final class AccountMonitor implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(AccountMonitor.class);
    static final String SENDING_DISABLED = "ses:SendingDisabled";
    static final String DAILY_QUOTA = "ses:DailyQuotaExhausted";

    private final SesV2AsyncClient ses;
    private final SharedRateLimiter limiter;
    private final boolean rateFixed;
    private final SendGate gate;
    private final ScheduledExecutorService scheduler;
    private final Duration refresh;
    private final Duration pausedRefresh;
    private final Runnable onResume;
    private final Duration pause;
    private volatile boolean running;
    private volatile long lastRefreshNanos = System.nanoTime();

    public AccountMonitor(SesV2AsyncClient ses, SharedRateLimiter limiter, boolean rateFixed, SendGate gate,
            ScheduledExecutorService scheduler, Duration refresh, Duration pausedRefresh, Duration pause,
            Runnable onResume) {
        this.pause = pause;
        this.ses = ses;
        this.limiter = limiter;
        this.rateFixed = rateFixed;
        this.gate = gate;
        this.scheduler = scheduler;
        this.refresh = refresh;
        this.pausedRefresh = pausedRefresh;
        this.onResume = onResume;
    }

    /** One GetAccount, applied; waits up to {@code timeout} (used once at start so the first rate is right). */
    public void refreshNow(Duration timeout) {
        try {
            apply(ses.getAccount(r -> { }).get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (Exception e) {
            log.warn("SES GetAccount failed: {}", e.toString());
        }
    }

    void apply(GetAccountResponse account) {
        SendQuota quota = account.sendQuota();
        if (!rateFixed && quota != null && quota.maxSendRate() != null && quota.maxSendRate() > 0) {
            limiter.setGlobalRate(quota.maxSendRate());
        }
        boolean enabled = !Boolean.FALSE.equals(account.sendingEnabled());
        boolean quotaLeft = quota == null || quota.max24HourSend() == null || quota.max24HourSend() < 0
                || quota.sentLast24Hours() == null || quota.sentLast24Hours() < quota.max24HourSend();
        if (!enabled) {
            gate.pause(SENDING_DISABLED, pause);
        } else if (!quotaLeft) {
            gate.pause(DAILY_QUOTA, pause);
        } else if (gate.isPaused()) {
            log.info("SES says the account can send again; resuming");
            gate.resume();
            onResume.run();
        }
    }

    /** Runs every {@code pausedRefresh}; asks SES when paused or when {@code refresh} has passed. */
    private void tick() {
        if (!running) {
            return;
        }
        if (!gate.isPaused() && System.nanoTime() - lastRefreshNanos < refresh.toNanos()) {
            schedule();
            return;
        }
        lastRefreshNanos = System.nanoTime();
        ses.getAccount(r -> { }).whenComplete((account, error) -> {
            if (error != null) {
                log.warn("SES GetAccount failed: {}", error.toString());
            } else {
                apply(account);
            }
            schedule();
        });
    }

    private void schedule() {
        if (!running) {
            return;
        }
        try {
            scheduler.schedule(this::tick, pausedRefresh.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down
        }
    }

    @Override
    public void start() {
        running = true;
        schedule();
    }

    @Override
    public void stop() {
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
