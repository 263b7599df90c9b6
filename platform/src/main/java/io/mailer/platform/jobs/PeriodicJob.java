package io.mailer.platform.jobs;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.springframework.context.SmartLifecycle;

/**
 * A maintenance task on a daemon thread of its own, every {@code interval} after the previous run
 * ended; a failed run is reported and the next one tries again.
 */
public final class PeriodicJob implements SmartLifecycle {

    private final String threadName;
    private final Duration initialDelay;
    private final Duration interval;
    private final Runnable work;
    private final Consumer<RuntimeException> onFailure;
    private ScheduledExecutorService scheduler;

    public PeriodicJob(String threadName, Duration initialDelay, Duration interval, Runnable work,
            Consumer<RuntimeException> onFailure) {
        this.threadName = threadName;
        this.initialDelay = initialDelay;
        this.interval = interval;
        this.work = work;
        this.onFailure = onFailure;
    }

    @Override
    public synchronized void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                work.run();
            } catch (RuntimeException e) {
                onFailure.accept(e);
            }
        }, initialDelay.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            try {
                scheduler.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            scheduler = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return scheduler != null;
    }
}
