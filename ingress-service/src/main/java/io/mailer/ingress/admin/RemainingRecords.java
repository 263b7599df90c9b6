package io.mailer.ingress.admin;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Records a consumer group still has to read, per partition. {@code end − committed} also counts the
 * commit markers exactly-once producers write (one per transaction and partition): a group that read
 * everything commits the offset of the marker, so a drained pipeline showed a lag for ever. Small
 * gaps are therefore read (read_committed, no group) and only real records counted; large gaps keep
 * {@code end − committed}, where a few markers are noise.
 */
final class RemainingRecords {

    /** Gaps up to this many offsets are read; a drained group's gap is its markers (a few per partition). */
    static final long READ_LIMIT = 1000;
    private static final Duration READ_BUDGET = Duration.ofSeconds(3);

    private final Map<String, Object> consumerConfig;

    RemainingRecords(Map<String, Object> baseConsumerConfig) {
        Map<String, Object> config = new HashMap<>(baseConsumerConfig);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "mailer-pipeline-lag");
        this.consumerConfig = config;
    }

    /**
     * @param committed a group's committed offsets
     * @param end       log end offsets (read_uncommitted)
     * @param stable    last stable offsets (read_committed): beyond it, an open transaction's records
     */
    Map<TopicPartition, Long> count(Map<TopicPartition, Long> committed, Map<TopicPartition, Long> end,
            Map<TopicPartition, Long> stable) {
        Map<TopicPartition, Long> remaining = new HashMap<>();
        Map<TopicPartition, Long> toRead = new HashMap<>();
        committed.forEach((tp, offset) -> {
            long gap = end.getOrDefault(tp, offset) - offset;
            if (gap <= 0) {
                remaining.put(tp, 0L);
            } else if (gap > READ_LIMIT) {
                remaining.put(tp, gap);
            } else {
                toRead.put(tp, offset);
            }
        });
        if (!toRead.isEmpty()) {
            remaining.putAll(read(toRead, end, stable));
        }
        return remaining;
    }

    private Map<TopicPartition, Long> read(Map<TopicPartition, Long> from, Map<TopicPartition, Long> end,
            Map<TopicPartition, Long> stable) {
        Map<TopicPartition, Long> records = new HashMap<>();
        Set<TopicPartition> unread = new HashSet<>(from.keySet());
        try (var consumer = new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(from.keySet());
            from.forEach(consumer::seek);
            long deadline = System.nanoTime() + READ_BUDGET.toNanos();
            while (!unread.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    records.merge(new TopicPartition(r.topic(), r.partition()), 1L, Long::sum);
                }
                // the position moves past markers even when a poll returns no record
                unread.removeIf(tp -> consumer.position(tp) >= stable.getOrDefault(tp, end.get(tp)));
            }
        }
        Map<TopicPartition, Long> remaining = new HashMap<>();
        from.forEach((tp, offset) -> {
            long openTransaction = end.get(tp) - stable.getOrDefault(tp, end.get(tp));
            // not read through in time: the raw gap, an upper bound
            remaining.put(tp, unread.contains(tp) ? end.get(tp) - offset
                    : records.getOrDefault(tp, 0L) + Math.max(0, openTransaction));
        });
        return remaining;
    }
}
