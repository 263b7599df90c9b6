package io.mailer.ingress;

import io.mailer.devstack.EmbeddedKafka;
import io.mailer.devstack.EmbeddedPostgresDb;
import io.mailer.schemas.kafka.Topic;
import io.mailer.schemas.kafka.Topics;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

/** A real broker, a real PostgreSQL and the ingress service on a random port, for one test class. */
public final class IngressTestStack implements AutoCloseable {

    public static final String ADMIN_KEY = "mk_test_bootstrap_admin_key_0123456789abcdef";
    public static final String UNSUBSCRIBE_SECRET = "test-unsubscribe-secret";

    public final EmbeddedKafka kafka;
    public final EmbeddedPostgresDb postgres;
    public final Topics topics;
    public final ConfigurableApplicationContext app;
    public final WebTestClient client;

    public IngressTestStack(String prefix, Map<String, String> extraEnv) {
        kafka = EmbeddedKafka.start();
        postgres = EmbeddedPostgresDb.start();
        topics = new Topics(prefix);
        kafka.createTopics(topics, 2);
        Map<String, String> env = new HashMap<>();
        env.put("PORT", "0");
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("MAILER_TOPIC_PREFIX", prefix);
        env.put("DATABASE_URL", postgres.databaseUrl());
        env.put("MAILER_BOOTSTRAP_ADMIN_KEY", ADMIN_KEY);
        env.put("UNSUBSCRIBE_SECRET", UNSUBSCRIBE_SECRET);
        env.put("UNSUBSCRIBE_BASE_URL", "https://mail.example.com");
        env.putAll(extraEnv);
        app = IngressApplication.start(env);
        String port = app.getEnvironment().getProperty("local.server.port");
        client = WebTestClient.bindToServer().baseUrl("http://localhost:" + port).responseTimeout(Duration.ofSeconds(60)).build();
    }

    /** Writes rows the feedback-service projector would write (it does not run in these tests). */
    public void sql(String... statements) {
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl(), postgres.username(), postgres.password());
                var st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every committed record of a topic matching the filter, waiting until {@code expected} arrived (or 30 s). */
    public <V> List<ConsumerRecord<String, V>> read(Topic<String, V> topic, Predicate<ConsumerRecord<String, V>> filter, int expected) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
        List<ConsumerRecord<String, V>> found = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), topic.valueSerde().deserializer())) {
            consumer.subscribe(List.of(topic.name()));
            long deadline = System.currentTimeMillis() + 30_000;
            while (found.size() < expected && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, V> r : consumer.poll(Duration.ofMillis(500))) {
                    if (filter.test(r)) {
                        found.add(r);
                    }
                }
            }
            // a short extra poll so "exactly N" assertions see records beyond the expected count too
            for (ConsumerRecord<String, V> r : consumer.poll(Duration.ofMillis(expected == 0 ? 3000 : 500))) {
                if (filter.test(r)) {
                    found.add(r);
                }
            }
        }
        return found;
    }

    @Override
    public void close() {
        if (app != null) {
            app.close();
        }
        postgres.close();
        kafka.close();
    }
}
