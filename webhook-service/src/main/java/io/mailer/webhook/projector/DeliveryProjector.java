package io.mailer.webhook.projector;

import io.mailer.schemas.kafka.Json;
import io.mailer.platform.kafka.ConsumerLoop;
import io.mailer.schemas.kafka.Topics;
import io.mailer.schemas.webhooks.WebhookDelivery;
import io.mailer.schemas.webhooks.WebhookEndpoint;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Projects {@code webhook-deliveries} and {@code webhook-endpoints} into {@code webhook_delivery} and
 * {@code webhook_endpoint} (group {@code <prefix>webhook-projector}), one JDBC batch per poll,
 * offsets committed after the database. Idempotent: a delivery row keeps the record with the most
 * attempts (then the latest attempt), an endpoint row the highest revision, so a redelivered poll
 * or ingress' own write of the same endpoint changes nothing. PostgreSQL down: the poll is retried
 * from the last commit until it is back.
 */
public final class DeliveryProjector implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DeliveryProjector.class);

    static final String UPSERT_DELIVERY = """
            INSERT INTO webhook_delivery (message_id, endpoint_id, tenant_id, event_type, status, attempts, last_status_code,
                last_latency_ms, last_error, created_at, last_attempt_at, next_attempt_at, events)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (endpoint_id, message_id) DO UPDATE SET status = EXCLUDED.status, attempts = EXCLUDED.attempts,
                last_status_code = EXCLUDED.last_status_code, last_latency_ms = EXCLUDED.last_latency_ms,
                last_error = EXCLUDED.last_error, last_attempt_at = EXCLUDED.last_attempt_at,
                next_attempt_at = EXCLUDED.next_attempt_at
            WHERE (webhook_delivery.attempts, webhook_delivery.last_attempt_at) <= (EXCLUDED.attempts, EXCLUDED.last_attempt_at)
            """;

    private final Topics topics;
    private final Map<String, Object> consumerConfig;
    private final JdbcTemplate jdbc;
    private final ConsumerLoop loop = new ConsumerLoop("webhook-projector", this::read);

    public DeliveryProjector(Topics topics, Map<String, Object> consumerConfig, JdbcTemplate jdbc) {
        this.topics = topics;
        this.consumerConfig = consumerConfig;
        this.jdbc = jdbc;
    }

    public void start() {
        loop.start();
    }

    /** Its reading thread: state for health and metrics. */
    public ConsumerLoop loop() {
        return loop;
    }

    /** Projects until stopped; after a failure the loop starts it again from the committed offsets. */
    private void read(ConsumerLoop loop) {
        Properties props = new Properties();
        props.putAll(consumerConfig);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, topics.prefix() + "webhook-projector");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            loop.use(c);
            c.subscribe(List.of(topics.webhookDeliveries.name(), topics.webhookEndpoints.name()));
            while (loop.running()) {
                ConsumerRecords<String, byte[]> records = c.poll(Duration.ofMillis(200));
                loop.reading();
                if (records.isEmpty()) {
                    continue;
                }
                while (loop.running()) {
                    try {
                        write(records);
                        c.commitSync();
                        break;
                    } catch (RuntimeException e) {
                        if (e instanceof WakeupException w) {
                            throw w;
                        }
                        log.warn("Webhook projection failed, retrying in 2 s: {}", e.toString());
                        sleep(2000);
                    }
                }
            }
        }
    }

    private void write(ConsumerRecords<String, byte[]> records) {
        // the last state of each message in this poll is enough: fewer rows, and no row twice in a batch
        Map<String, WebhookDelivery> deliveries = new LinkedHashMap<>();
        List<ConsumerRecord<String, byte[]>> endpoints = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            if (r.topic().equals(topics.webhookEndpoints.name())) {
                endpoints.add(r);
                continue;
            }
            try {
                WebhookDelivery d = topics.webhookDeliveries.valueSerde().deserializer().deserialize(r.topic(), r.value());
                deliveries.merge(d.endpointId() + "/" + d.messageId(), d, (a, b) -> b.attempts() >= a.attempts() ? b : a);
            } catch (RuntimeException e) {
                log.warn("Skipping unreadable webhook delivery at {}-{}@{}", r.topic(), r.partition(), r.offset());
            }
        }
        if (!deliveries.isEmpty()) {
            List<Object[]> rows = deliveries.values().stream().map(d -> new Object[] {d.messageId(), d.endpointId(), d.tenantId(),
                    d.eventType(), d.status().name(), d.attempts(), d.lastStatusCode(), d.lastLatencyMs(), d.lastError(),
                    ts(d.createdAt()), ts(d.lastAttemptAt()), ts(d.nextAttemptAt()), d.events()}).toList();
            jdbc.batchUpdate(UPSERT_DELIVERY, rows);
        }
        for (ConsumerRecord<String, byte[]> r : endpoints) {
            if (r.value() == null) {
                jdbc.update("UPDATE webhook_endpoint SET deleted = true WHERE id = ?", r.key());
                continue;
            }
            try {
                upsertEndpoint(jdbc, topics.webhookEndpoints.valueSerde().deserializer().deserialize(r.topic(), r.value()));
            } catch (RuntimeException e) {
                if (e instanceof org.springframework.dao.DataAccessException) {
                    throw e;
                }
                log.warn("Skipping unreadable webhook endpoint {} at {}-{}@{}", r.key(), r.topic(), r.partition(), r.offset());
            }
        }
    }

    /** What ingress also runs (through R2DBC) after writing the topic: the higher revision wins, a deleted row stays deleted. */
    public static void upsertEndpoint(JdbcTemplate jdbc, WebhookEndpoint e) {
        jdbc.update("""
                INSERT INTO webhook_endpoint (id, tenant_id, url, events, description, enabled, disabled_reason, disabled_at,
                    batch_size, record, created_at, updated_at, revision)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS jsonb), ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET url = EXCLUDED.url, events = EXCLUDED.events, description = EXCLUDED.description,
                    enabled = EXCLUDED.enabled, disabled_reason = EXCLUDED.disabled_reason, disabled_at = EXCLUDED.disabled_at,
                    batch_size = EXCLUDED.batch_size, record = EXCLUDED.record, updated_at = EXCLUDED.updated_at,
                    revision = EXCLUDED.revision
                WHERE webhook_endpoint.revision < EXCLUDED.revision AND NOT webhook_endpoint.deleted
                """, e.id(), e.tenantId(), e.url(), String.join(",", e.events()), e.description(), e.enabled(),
                e.disabledReason(), ts(e.disabledAt()), e.batchSize(), Json.MAPPER.writeValueAsString(e), ts(e.createdAt()),
                ts(e.updatedAt()), e.revision());
    }

    private static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        loop.close();
    }
}
