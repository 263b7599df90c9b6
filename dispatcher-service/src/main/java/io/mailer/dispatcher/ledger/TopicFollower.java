package io.mailer.dispatcher.ledger;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * A thread that reads a topic into memory for as long as the service runs. A failure (Kafka
 * unreachable at start, an authorization error) is retried with back-off up to 30 s, never given up:
 * the view reports RETRYING meanwhile and the reader says what its callers must wait for.
 */
public abstract class TopicFollower implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(TopicFollower.class);

    private final String topic;
    private volatile boolean running;
    private volatile String state = "NOT_STARTED";
    private Thread thread;

    protected TopicFollower(String topic) {
        this.topic = topic;
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

    /** NOT_STARTED, FOLLOWING, RETRYING (after a failure, with back-off) or STOPPED. */
    public String state() {
        return state;
    }

    /** Reading, or retrying after a failure; false only when its thread ended while it should run. */
    public boolean isFollowing() {
        Thread t = thread;
        return !running || t == null || t.isAlive();
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
        state = "FOLLOWING";
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        thread = new Thread(this::follow, "view-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public synchronized void stop() {
        running = false;
        wakeup();
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
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

    private void follow() {
        long backOffMillis = 500;
        try {
            while (running) {
                try {
                    readUntilStopped();
                } catch (WakeupException e) {
                    return; // stop() was called
                } catch (RuntimeException e) {
                    if (!running) {
                        return;
                    }
                    state = "RETRYING";
                    log.error("reading {} failed; retrying in {} ms", topic, backOffMillis, e);
                    onFailure();
                    Thread.sleep(backOffMillis);
                    backOffMillis = Math.min(backOffMillis * 2, 30_000);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            state = "STOPPED";
            closeClients();
        }
    }
}
