package io.mailer.webhook.relay;

import io.mailer.schemas.kafka.Topic;
import io.mailer.schemas.webhooks.WebhookMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What is parked in the retry-tier partitions this replica was just given: the records between
 * the group's committed offset and the end, read once without a group before the relay goes on.
 * Each is handed to its endpoint's queue ({@link EndpointQueue#restore}), so a newer event of
 * the endpoint is not sent before a message the previous owner parked. The relay reads the same
 * records again as they come due, which releases them.
 */
final class ParkedMessages {

    interface Sink {
        void restore(WebhookMessage message, int partition, int tier, Instant due);
    }

    private static final Logger log = LoggerFactory.getLogger(ParkedMessages.class);
    private static final Duration LIMIT = Duration.ofSeconds(60);

    private ParkedMessages() {
    }

    /** Reads the tier partitions (of {@code tiers}, by index) from {@code committed} to their current end. */
    static long read(Map<String, Object> consumerConfig, Map<String, Integer> tierIndex, Map<String, Topic<String, WebhookMessage>> tiers,
            Collection<TopicPartition> partitions, Map<TopicPartition, OffsetAndMetadata> committed, Sink sink) {
        if (partitions.isEmpty()) {
            return 0;
        }
        Properties props = new Properties();
        props.putAll(consumerConfig);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        long found = 0;
        long deadline = System.nanoTime() + LIMIT.toNanos();
        try (var c = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            c.assign(partitions);
            Map<TopicPartition, Long> end = c.endOffsets(partitions, Duration.ofSeconds(10));
            Map<TopicPartition, Long> start = new HashMap<>();
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata o = committed.get(tp);
                if (o == null) {
                    c.seekToBeginning(java.util.List.of(tp));
                    start.put(tp, c.position(tp, Duration.ofSeconds(10)));
                } else {
                    c.seek(tp, o.offset());
                    start.put(tp, o.offset());
                }
            }
            while (partitions.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (r.offset() >= end.get(new TopicPartition(r.topic(), r.partition())) || r.value() == null) {
                        continue;
                    }
                    try {
                        WebhookMessage m = tiers.get(r.topic()).valueSerde().deserializer().deserialize(r.topic(), r.value());
                        sink.restore(m, r.partition(), tierIndex.get(r.topic()), Instant.ofEpochMilli(due(r)));
                        found++;
                    } catch (RuntimeException e) {
                        log.debug("Unreadable parked record at {}-{}@{} (skipped when it comes due too)", r.topic(),
                                r.partition(), r.offset());
                    }
                }
            }
            if (System.nanoTime() >= deadline) {
                log.warn("Reading the parked webhook messages took over {}; {} found, the rest may be overtaken by newer events",
                        LIMIT, found);
            }
        } catch (RuntimeException e) {
            log.warn("Could not read the parked webhook messages of {}: {} (newer events may overtake them)", partitions,
                    e.toString());
        }
        if (found > 0) {
            log.info("{} parked webhook messages in the retry tiers taken over; newer messages of their endpoints wait for them", found);
        }
        return found;
    }

    static long due(ConsumerRecord<?, ?> r) {
        Header h = r.headers().lastHeader(Relay.DUE_HEADER);
        return h == null ? 0 : Long.parseLong(new String(h.value(), StandardCharsets.UTF_8));
    }
}
