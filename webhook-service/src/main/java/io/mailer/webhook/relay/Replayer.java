package io.mailer.webhook.relay;

import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.kafka.Topics;
import io.mailer.schemas.webhooks.WebhookEndpoint;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /webhooks/{id}/replay {"since"}}: reads {@code delivery-events} from the first record
 * written at or after {@code since} up to the end offsets at the start of the replay, on its own
 * thread and without a group, and hands the endpoint's events (its tenant, its event types) to its
 * queue. Replayed messages keep their webhook-id, so a receiver that already has one drops it.
 */
final class Replayer {

    private static final Logger log = LoggerFactory.getLogger(Replayer.class);

    private Replayer() {
    }

    static void start(Topics topics, Map<String, Object> consumerConfig, WebhookEndpoint endpoint, Instant since, Relay relay) {
        Thread t = new Thread(() -> run(topics, consumerConfig, endpoint, since, relay), "webhook-replay-" + endpoint.id());
        t.setDaemon(true);
        t.start();
    }

    private static void run(Topics topics, Map<String, Object> consumerConfig, WebhookEndpoint endpoint, Instant since, Relay relay) {
        Properties props = new Properties();
        props.putAll(consumerConfig);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        long replayed = 0;
        try (var c = new KafkaConsumer<>(props, new StringDeserializer(), topics.deliveryEvents.valueSerde().deserializer())) {
            List<TopicPartition> partitions = c.partitionsFor(topics.deliveryEvents.name(), Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(partitions);
            Map<TopicPartition, Long> end = c.endOffsets(partitions);
            Map<TopicPartition, Long> query = new HashMap<>();
            partitions.forEach(tp -> query.put(tp, since.toEpochMilli()));
            Map<TopicPartition, OffsetAndTimestamp> start = c.offsetsForTimes(query);
            for (TopicPartition tp : partitions) {
                OffsetAndTimestamp o = start.get(tp);
                c.seek(tp, o == null ? end.get(tp) : o.offset());
            }
            while (partitions.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, DeliveryEvent> r : c.poll(Duration.ofMillis(500))) {
                    DeliveryEvent e = r.value();
                    if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition())) && e != null
                            && endpoint.tenantId().equals(e.tenantId()) && e.type() != null && endpoint.wants(e.type().name())) {
                        relay.replay(endpoint, e);
                        replayed++;
                    }
                }
            }
            log.info("Replayed {} events to webhook endpoint {} since {}", replayed, endpoint.id(), since);
        } catch (RuntimeException e) {
            log.error("Replay to webhook endpoint {} stopped after {} events", endpoint.id(), replayed, e);
        }
    }
}
