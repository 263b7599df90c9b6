package io.mailer.dispatcher.kafka;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.springframework.kafka.listener.MessageListenerContainer;

/**
 * Pauses the {@code sends} container while SES cannot send for the account, and resumes it when
 * the pause is over (then the next SES call tells whether the account can send again). Set up after
 * the container exists, because the container's listener is what asks for the pause.
 */
public final class ConsumptionPauser {

    private final ScheduledExecutorService scheduler;
    private volatile MessageListenerContainer container;
    private ScheduledFuture<?> resume;

    public ConsumptionPauser(ScheduledExecutorService scheduler) {
        this.scheduler = scheduler;
    }

    void attach(MessageListenerContainer container) {
        this.container = container;
    }

    /** Resumes consumption now (the account can send again). */
    public synchronized void resumeNow() {
        MessageListenerContainer c = container;
        if (resume != null) {
            resume.cancel(false);
        }
        if (c != null && c.isRunning()) {
            c.resume();
        }
    }

    public synchronized void pauseFor(Duration duration) {
        MessageListenerContainer c = container;
        if (c == null) {
            return;
        }
        c.pause();
        if (resume != null) {
            resume.cancel(false);
        }
        resume = scheduler.schedule(() -> {
            if (c.isRunning()) {
                c.resume();
            }
        }, duration.toMillis(), TimeUnit.MILLISECONDS);
    }
}
