package io.mailer.dispatcher.kafka;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;

/** The retry tiers' containers, started and stopped together, visible to the liveness check. */
public final class RetryTierContainers implements SmartLifecycle {

    private final List<ConcurrentMessageListenerContainer<String, byte[]>> containers;
    private volatile boolean running;

    RetryTierContainers(List<ConcurrentMessageListenerContainer<String, byte[]>> containers) {
        this.containers = containers;
    }

    public List<ConcurrentMessageListenerContainer<String, byte[]>> containers() {
        return containers;
    }

    @Override
    public void start() {
        containers.forEach(ConcurrentMessageListenerContainer::start);
        running = true;
    }

    @Override
    public void stop() {
        CountDownLatch stopped = new CountDownLatch(1);
        stop(stopped::countDown);
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The tiers stop side by side: each commits what it forwarded and closes its consumer (~0.5 s,
     * mostly the consumer's last fetch), so one after the other added up.
     */
    @Override
    public void stop(Runnable callback) {
        AtomicInteger remaining = new AtomicInteger(containers.size());
        if (containers.isEmpty()) {
            running = false;
            callback.run();
            return;
        }
        for (ConcurrentMessageListenerContainer<String, byte[]> container : containers) {
            container.stop(() -> {
                if (remaining.decrementAndGet() == 0) {
                    running = false;
                    callback.run();
                }
            });
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
