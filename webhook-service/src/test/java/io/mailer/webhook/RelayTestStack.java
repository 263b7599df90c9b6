package io.mailer.webhook;

import io.mailer.devstack.EmbeddedKafka;
import io.mailer.devstack.EmbeddedPostgresDb;
import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.EventType;
import io.mailer.schemas.kafka.Topics;
import io.mailer.schemas.reputation.ReputationState;
import io.mailer.schemas.reputation.TenantEvent;
import io.mailer.schemas.reputation.WindowCounts;
import io.mailer.schemas.webhooks.WebhookCommand;
import io.mailer.schemas.webhooks.WebhookEndpoint;
import io.mailer.schemas.webhooks.WebhookSecret;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.context.ConfigurableApplicationContext;

/** A real broker, a real PostgreSQL and the webhook service, for one test class. */
final class RelayTestStack implements AutoCloseable {

    static final SecureRandom RANDOM = new SecureRandom();

    final EmbeddedKafka kafka;
    final EmbeddedPostgresDb postgres;
    final Topics topics;
    final ConfigurableApplicationContext app;
    private final Map<String, String> env;
    private final List<ConfigurableApplicationContext> replicas = new ArrayList<>();
    private final KafkaProducer<String, Object> producer;

    RelayTestStack(String prefix, Map<String, String> extraEnv) {
        kafka = EmbeddedKafka.start();
        postgres = EmbeddedPostgresDb.start();
        topics = new Topics(prefix);
        kafka.createTopics(topics, 3);
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        producer = new KafkaProducer<>(config, new StringSerializer(), (topic, data) -> data == null ? null
                : topic.equals(topics.deliveryEvents.name())
                        ? topics.deliveryEvents.valueSerde().serializer().serialize(topic, (DeliveryEvent) data)
                        : topic.equals(topics.webhookCommands.name())
                        ? topics.webhookCommands.valueSerde().serializer().serialize(topic, (WebhookCommand) data)
                        : topic.equals(topics.tenantEvents.name())
                        ? topics.tenantEvents.valueSerde().serializer().serialize(topic, (TenantEvent) data)
                        : topics.webhookEndpoints.valueSerde().serializer().serialize(topic, (WebhookEndpoint) data));
        Map<String, String> env = new HashMap<>();
        env.put("PORT", "0");
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("MAILER_TOPIC_PREFIX", prefix);
        env.put("DATABASE_URL", postgres.databaseUrl());
        env.put("WEBHOOK_ALLOW_HTTP", "true");
        env.put("WEBHOOK_ALLOWED_NETWORKS", "127.0.0.1/32");
        env.putAll(extraEnv);
        this.env = Map.copyOf(env);
        app = WebhookApplication.start(env);
    }

    static String newSecret() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return WebhookSecret.PREFIX + Base64.getEncoder().encodeToString(key);
    }

    WebhookEndpoint endpoint(String tenant, String url, List<String> events, int batchSize, List<WebhookSecret> secrets) {
        Instant now = Instant.now();
        WebhookEndpoint e = new WebhookEndpoint("wh_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20), tenant, url,
                events, "test", true, null, null, secrets, batchSize, now, now, now.toEpochMilli() * 1000);
        put(e);
        return e;
    }

    void put(WebhookEndpoint e) {
        send(topics.webhookEndpoints.name(), e.id(), e);
    }

    DeliveryEvent event(String tenant, String sendId, EventType type) {
        DeliveryEvent e = new DeliveryEvent(sendId + ":" + type + ":" + UUID.randomUUID(), type, sendId, sendId.split("-")[0],
                tenant, 0, "rcpt@example.com", Instant.now(), "ses-1", null, Map.of());
        send(topics.deliveryEvents.name(), sendId, e);
        return e;
    }

    /** What the reputation guard writes when a tenant's state changes. */
    TenantEvent tenantEvent(String tenant, long version, ReputationState from, ReputationState to, String reason) {
        TenantEvent e = new TenantEvent(TenantEvent.eventId(tenant, version), tenant, from, to, reason, 0.15, 0,
                new WindowCounts(400, 60, 340, 0, Instant.now().minusSeconds(600)), Instant.now());
        send(topics.tenantEvents.name(), tenant, e);
        return e;
    }

    void command(WebhookCommand command) {
        send(topics.webhookCommands.name(), command.endpointId(), command);
    }

    private void send(String topic, String key, Object value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    List<Map<String, Object>> query(String sql) {
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(), postgres.username(), postgres.password());
                var st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            List<Map<String, Object>> rows = new ArrayList<>();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.put(rs.getMetaData().getColumnName(i), rs.getObject(i));
                }
                rows.add(row);
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One more relay in the same group (a rebalance); closed with the stack. */
    ConfigurableApplicationContext anotherReplica() {
        ConfigurableApplicationContext replica = WebhookApplication.start(env);
        replicas.add(replica);
        return replica;
    }

    @Override
    public void close() {
        replicas.forEach(ConfigurableApplicationContext::close);
        producer.close();
        if (app != null) {
            app.close();
        }
        postgres.close();
        kafka.close();
    }
}
