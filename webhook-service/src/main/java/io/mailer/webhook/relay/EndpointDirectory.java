package io.mailer.webhook.relay;

import io.mailer.platform.kafka.ConsumerLoop;
import io.mailer.schemas.kafka.Topic;
import io.mailer.schemas.webhooks.WebhookEndpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every replica's copy of the compacted {@code webhook-endpoints} topic: read from the beginning with
 * no consumer group (each replica needs all endpoints, whichever partitions it relays), then followed.
 * The relay starts once the copy has caught up with the end offsets seen at start. An unreadable
 * record is skipped (logged by id, never by content: it holds secrets).
 */
public final class EndpointDirectory implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EndpointDirectory.class);

    private final Topic<String, WebhookEndpoint> topic;
    private final Map<String, Object> consumerConfig;
    private final Map<String, WebhookEndpoint> byId = new ConcurrentHashMap<>();
    private volatile Map<String, List<WebhookEndpoint>> byTenant = Map.of();
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final ConsumerLoop loop = new ConsumerLoop("webhook-endpoints-follower", this::read);

    public EndpointDirectory(Topic<String, WebhookEndpoint> topic, Map<String, Object> consumerConfig) {
        this.topic = topic;
        this.consumerConfig = consumerConfig;
    }

    public void start() {
        loop.start();
    }

    /** Its reading thread: state for health and metrics. */
    public ConsumerLoop loop() {
        return loop;
    }

    public boolean caughtUp() {
        return caughtUp.getCount() == 0;
    }

    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public WebhookEndpoint get(String id) {
        return byId.get(id);
    }

    /** The enabled endpoints of a tenant. */
    public List<WebhookEndpoint> forTenant(String tenantId) {
        return byTenant.getOrDefault(tenantId, List.of());
    }

    /** Applies a change this replica made itself (a disable) at once, ahead of reading it back. */
    public void apply(WebhookEndpoint endpoint) {
        WebhookEndpoint current = byId.get(endpoint.id());
        if (current == null || current.revision() <= endpoint.revision()) {
            byId.put(endpoint.id(), endpoint);
            reindex();
        }
    }

    /** Reads the whole topic, then follows it; on a restart after a failure, reads it again from the start. */
    private void read(ConsumerLoop loop) throws InterruptedException {
        Properties props = new Properties();
        props.putAll(consumerConfig);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            loop.use(c);
            List<TopicPartition> partitions = new ArrayList<>();
            while (loop.running() && partitions.isEmpty()) {
                c.partitionsFor(topic.name(), Duration.ofSeconds(10)).forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
                if (partitions.isEmpty()) {
                    Thread.sleep(500);
                }
            }
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = new HashMap<>(c.endOffsets(partitions));
            loop.reading();
            while (loop.running()) {
                boolean changed = false;
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    changed = true;
                    if (r.value() == null) {
                        byId.remove(r.key());
                        continue;
                    }
                    try {
                        WebhookEndpoint e = topic.valueSerde().deserializer().deserialize(r.topic(), r.value());
                        WebhookEndpoint current = byId.get(e.id());
                        if (current == null || current.revision() <= e.revision()) {
                            byId.put(e.id(), e);
                        }
                    } catch (RuntimeException e) {
                        log.warn("Skipping unreadable webhook endpoint record {} at {}-{}@{}", r.key(), r.topic(), r.partition(), r.offset());
                    }
                }
                if (changed) {
                    reindex();
                }
                if (caughtUp.getCount() > 0 && end.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue())) {
                    log.info("Webhook endpoints loaded: {}", byId.size());
                    caughtUp.countDown();
                }
            }
        }
    }

    private synchronized void reindex() {
        Map<String, List<WebhookEndpoint>> index = new HashMap<>();
        for (WebhookEndpoint e : byId.values()) {
            if (e.enabled()) {
                index.computeIfAbsent(e.tenantId(), k -> new ArrayList<>()).add(e);
            }
        }
        index.replaceAll((k, v) -> List.copyOf(v));
        byTenant = Map.copyOf(index);
    }

    public int size() {
        return byId.size();
    }

    @Override
    public void close() {
        loop.close();
    }
}
