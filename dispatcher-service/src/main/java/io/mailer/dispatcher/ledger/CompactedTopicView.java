package io.mailer.dispatcher.ledger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The whole content of a compacted topic in memory, kept current: one thread reads every partition
 * from the beginning with an unassigned consumer (no group, so every replica sees everything) and
 * keeps following it. {@link #isInitialized} says whether everything written before it started is
 * known (a replica must not send a batch cancelled before it started).
 */
public final class CompactedTopicView<V> implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(CompactedTopicView.class);

    private final String topic;
    private final KafkaConsumer<String, V> consumer;
    private final Map<String, V> values = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<CompletableFuture<Void>> catchUpRequests = new ConcurrentLinkedQueue<>();
    private final List<Target> targets = new ArrayList<>();
    private volatile boolean running;
    /** Reached the end the topic had when reading began: every record written before the start is known. */
    private volatile CompletableFuture<Void> initial = new CompletableFuture<>();
    private volatile String state = "NOT_STARTED";
    /** Time from a record's timestamp to the moment it became visible here, for the latest record read. */
    private volatile long lagMillis = -1;
    private Thread thread;

    public CompactedTopicView(Map<String, Object> consumerConfig, String topic, Deserializer<V> values) {
        this.topic = topic;
        Map<String, Object> config = new HashMap<>(consumerConfig);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        this.consumer = new KafkaConsumer<>(config, new StringDeserializer(), values);
    }

    public Optional<V> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    public boolean contains(String key) {
        return values.containsKey(key);
    }

    public int size() {
        return values.size();
    }

    public String topic() {
        return topic;
    }

    /** Whether everything written to the topic before this view started has been read. */
    public boolean isInitialized() {
        CompletableFuture<Void> f = initial;
        return f.isDone() && !f.isCompletedExceptionally();
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

    /** How late the latest record became visible (its timestamp to now-then), or -1 before any. */
    public long lagMillis() {
        return lagMillis;
    }

    /** Completes when every record written to the topic before this call has been read. */
    public CompletableFuture<Void> catchUp() {
        CompletableFuture<Void> request = new CompletableFuture<>();
        catchUpRequests.add(request);
        return request;
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        initial = catchUp();
        thread = new Thread(this::follow, "view-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public synchronized void stop() {
        running = false;
        consumer.wakeup();
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

    /**
     * Reads until stopped. A failure (Kafka unreachable at start, an authorization error) is retried
     * with back-off from the beginning, never the end of the view: until it reads again, catch-up
     * requests wait, so a caller that needs the view current waits too instead of acting without it.
     */
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
                    Thread.sleep(backOffMillis);
                    backOffMillis = Math.min(backOffMillis * 2, 30_000);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            state = "STOPPED";
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void readUntilStopped() {
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(60)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        // targets taken before a failure keep their end offsets: this read from the beginning reaches them
        state = "FOLLOWING";
        while (running) {
            takeCatchUpRequests(partitions);
            for (ConsumerRecord<String, V> r : consumer.poll(Duration.ofMillis(50))) {
                if (r.key() == null) {
                    continue;
                }
                if (r.value() == null) {
                    values.remove(r.key());
                } else {
                    values.put(r.key(), r.value());
                }
                lagMillis = Math.max(0, System.currentTimeMillis() - r.timestamp());
            }
            completeReachedTargets();
        }
    }

    private void takeCatchUpRequests(List<TopicPartition> partitions) {
        CompletableFuture<Void> request;
        Map<TopicPartition, Long> ends = null;
        while ((request = catchUpRequests.poll()) != null) {
            if (ends == null) {
                ends = consumer.endOffsets(partitions);
            }
            targets.add(new Target(request, ends));
        }
    }

    private void completeReachedTargets() {
        targets.removeIf(t -> {
            for (Map.Entry<TopicPartition, Long> end : t.ends.entrySet()) {
                if (consumer.position(end.getKey()) < end.getValue()) {
                    return false;
                }
            }
            t.request.complete(null);
            return true;
        });
    }

    private record Target(CompletableFuture<Void> request, Map<TopicPartition, Long> ends) {
    }
}
