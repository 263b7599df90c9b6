package io.mailer.dispatcher.ledger;

import io.mailer.platform.kafka.ConsumerLoop;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.springframework.context.SmartLifecycle;

/**
 * A thread that reads a topic into memory for as long as the service runs, in a {@link ConsumerLoop}:
 * a failure (Kafka unreachable at start, an authorization error) is retried with back-off up to 30 s,
 * never given up; the view reports RETRYING meanwhile and the reader says what its callers must wait
 * for.
 */
public abstract class TopicFollower implements SmartLifecycle {

    private final String topic;
    private final ConsumerLoop loop;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean running;

    protected TopicFollower(String topic) {
        this.topic = topic;
        this.loop = new ConsumerLoop("view-" + topic, this::readOnce);
    }

    /**
     * A reader's consumer settings: no group (every replica assigns what it reads itself), no
     * commits, committed records only, from the earliest offset, large polls.
     */
    protected static java.util.Map<String, Object> readerConfig(java.util.Map<String, Object> consumerConfig) {
        java.util.Map<String, Object> config = new java.util.HashMap<>(consumerConfig);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        return config;
    }

    public String topic() {
        return topic;
    }

    /** NOT_STARTED, STARTING, FOLLOWING, RETRYING (after a failure, with back-off) or STOPPED. */
    public String state() {
        ConsumerLoop.State s = loop.state();
        return s == ConsumerLoop.State.READING ? "FOLLOWING" : s.name();
    }

    /** Reading, or retrying after a failure; false only when its thread ended while it should run. */
    public boolean isFollowing() {
        return loop.alive();
    }

    /** Reads until {@link #isRunning} turns false; throws on a failure, to be called again after a back-off. */
    protected abstract void readUntilStopped();

    /** After a failure, before the back-off: forget what the failed read had in progress. */
    protected void onFailure() {
    }

    /** Interrupts a blocking poll (the consumer's wakeup), from another thread. */
    protected abstract void wakeup();

    /** Closes the clients, on the reading thread once it ends. */
    protected abstract void closeClients();

    /** Called by the reading thread once it reads. */
    protected final void following() {
        loop.reading();
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        loop.start();
    }

    @Override
    public synchronized void stop() {
        running = false;
        wakeup();
        loop.close(Duration.ofSeconds(10));
        if (loop.state() == ConsumerLoop.State.STOPPED) {
            // stopped during a back-off, the body never ran again to close them: the thread has ended
            closeOnce();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Before the {@code sends} container (default phase) starts, after it stops. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE / 2 - 100;
    }

    private void readOnce(ConsumerLoop l) {
        try {
            readUntilStopped();
        } catch (RuntimeException e) {
            if (running) {
                onFailure();
            }
            throw e;
        } finally {
            if (!running) {
                closeOnce();
            }
        }
    }

    private void closeOnce() {
        if (closed.compareAndSet(false, true)) {
            closeClients();
        }
    }
}
