package io.mailer.dispatcher.kafka;

import java.util.List;
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
        containers.forEach(ConcurrentMessageListenerContainer::stop);
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
