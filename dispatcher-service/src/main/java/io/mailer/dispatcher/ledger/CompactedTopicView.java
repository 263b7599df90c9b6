package io.mailer.dispatcher.ledger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The whole content of a compacted topic in memory, kept current: one thread reads every partition
 * from the beginning with an unassigned consumer (no group, so every replica sees everything) and
 * keeps following it. {@link #isInitialized} says whether everything written before it started is
 * known (a replica must not send a batch cancelled before it started).
 */
public final class CompactedTopicView<V> extends TopicFollower {

    private final String topic;
    private final KafkaConsumer<String, V> consumer;
    private final Map<String, V> values = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<CompletableFuture<Void>> catchUpRequests = new ConcurrentLinkedQueue<>();
    private final List<Target> targets = new ArrayList<>();
    /** Reached the end the topic had when reading began: every record written before the start is known. */
    private volatile CompletableFuture<Void> initial = new CompletableFuture<>();
    /** Time from a record's timestamp to the moment it became visible here, for the latest record read. */
    private volatile long lagMillis = -1;

    public CompactedTopicView(Map<String, Object> consumerConfig, String topic, Deserializer<V> values) {
        super(topic);
        this.topic = topic;
        Map<String, Object> config = readerConfig(consumerConfig);
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

    /** Whether everything written to the topic before this view started has been read. */
    public boolean isInitialized() {
        CompletableFuture<Void> f = initial;
        return f.isDone() && !f.isCompletedExceptionally();
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
        if (!isRunning()) {
            initial = catchUp();
        }
        super.start();
    }

    @Override
    protected void wakeup() {
        consumer.wakeup();
    }

    @Override
    protected void closeClients() {
        consumer.close(Duration.ofSeconds(5));
    }

    /**
     * From the beginning, also after a failure, never from the end of the view: until it reads
     * again, catch-up requests wait, so a caller that needs the view current waits too.
     */
    @Override
    protected void readUntilStopped() {
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(60)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        // targets taken before a failure keep their end offsets: this read from the beginning reaches them
        following();
        while (isRunning()) {
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
