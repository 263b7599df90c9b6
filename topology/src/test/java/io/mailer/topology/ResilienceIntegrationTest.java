package io.mailer.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailer.devstack.EmbeddedKafka;
import io.mailer.schemas.commands.BatchCommand;
import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.commands.RecipientEntry;
import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.EventType;
import io.mailer.schemas.kafka.Topics;
import io.mailer.topology.fanout.OversizedSendDeadLetters;
import io.mailer.topology.system.StreamsLifecycle;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The service on a real (embedded) broker when things go wrong: an output too large for Kafka must
 * not stop fan-out for everyone, and a client that did stop must fail the liveness probe.
 */
class ResilienceIntegrationTest {

    private static final Duration PATIENCE = Duration.ofSeconds(120);
    private static final int LARGE_LIMIT = 4 * 1024 * 1024;

    private static EmbeddedKafka kafka;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void shouldStayRunningWhenAChunkYieldsASendTooLargeForKafkaAndFanOutTheNextTenantsBatch() throws Exception {
        // Given batch-commands accepting 4 MiB records (as when the 1.2 MB NDJSON batch got through
        // ingress) and every other topic with the registry's budget
        Topics topics = new Topics("big.");
        kafka.createTopics(List.of(new NewTopic(topics.batchCommands.name(), 6, (short) 1)
                .configs(Map.of("max.message.bytes", String.valueOf(LARGE_LIMIT)))));
        kafka.createTopics(topics, 6);
        ConfigurableApplicationContext app = start(topics);
        StreamsLifecycle lifecycle = app.getBean("kafkaStreamsLifecycle", StreamsLifecycle.class);
        try {
            String base = base(app);
            await().atMost(PATIENCE).until(() -> status(base + "/api/v1/ready") == 200);

            // When a chunk whose message is a 1.2 MB html arrives, then another tenant's batch
            MessageContent huge = new MessageContent("news@mailer.example", null, "Hello", "<p>" + "x".repeat(1_200_000)
                    + "</p>", "Hi", Map.of(), Map.of(), null, false);
            try (var producer = largeProducer()) {
                send(producer, topics, chunk(huge, "acme", "big-1", "ann@example.com"));
                send(producer, topics, chunk(TopologyFixture.MESSAGE, "globex", "small-1", "bob@example.com",
                        "cy@example.com"));
            }

            // Then the other tenant's recipients are sent, the large one is FAILED and dead-lettered
            List<ConsumerRecord<String, byte[]>> received = new ArrayList<>();
            try (var consumer = BrokerClients.readCommittedConsumer(kafka.bootstrapServers(), "big-reader")) {
                consumer.subscribe(List.of(topics.sends.name(), topics.deliveryEvents.name(), topics.sendsDlt.name()));
                await().atMost(PATIENCE).until(() -> poll(consumer, received) >= 4);
                await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(30))
                        .until(() -> poll(consumer, received) == 4);
            }
            assertThat(keys(received, topics.sends.name())).containsExactlyInAnyOrder("small-1-0", "small-1-1");
            assertThat(keys(received, topics.sendsDlt.name())).containsExactly("big-1-0");
            ConsumerRecord<String, byte[]> event = only(received, topics.deliveryEvents.name());
            DeliveryEvent failed = topics.deliveryEvents.valueSerde().deserializer().deserialize(null, event.value());
            assertThat(failed.type()).isEqualTo(EventType.FAILED);
            assertThat(failed.sendId()).isEqualTo("big-1-0");
            assertThat(failed.reason()).matches("topology:too-large:12\\d{5}");
            ConsumerRecord<String, byte[]> dead = only(received, topics.sendsDlt.name());
            assertThat(new String(dead.headers().lastHeader(OversizedSendDeadLetters.REASON).value(),
                    StandardCharsets.UTF_8)).isEqualTo(failed.reason());
            // and the client never left RUNNING
            assertThat(lifecycle.state()).isEqualTo(KafkaStreams.State.RUNNING);
            assertThat(lifecycle.failed()).isFalse();
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(body(base + "/actuator/prometheus"))
                    .contains("kafka_stream_mailer_recipients_too_large_total{"));
        } finally {
            app.close();
        }
    }

    @Test
    void shouldFailTheLivenessProbeOnceTheStreamsClientIsInError() throws Exception {
        // Given a running service
        Topics topics = new Topics("live.");
        kafka.createTopics(topics, 2);
        ConfigurableApplicationContext app = start(topics);
        StreamsLifecycle lifecycle = app.getBean("kafkaStreamsLifecycle", StreamsLifecycle.class);
        try {
            String base = base(app);
            await().atMost(PATIENCE).until(() -> status(base + "/api/v1/ready") == 200);
            assertThat(status(base + "/api/v1/health")).isEqualTo(200);

            // When its source topic disappears (Kafka Streams stops with MissingSourceTopicException,
            // and the service shuts the client down rather than retry on the same failure)
            try (var admin = kafka.admin()) {
                admin.deleteTopics(List.of(topics.batchCommands.name())).all().get(30, TimeUnit.SECONDS);
            }

            // Then the liveness probe answers 503, so the orchestrator restarts the instance
            await().atMost(PATIENCE).until(() -> status(base + "/api/v1/health") == 503);
            assertThat(lifecycle.state()).isIn(KafkaStreams.State.ERROR, KafkaStreams.State.PENDING_ERROR);
            assertThat(body(base + "/api/v1/health")).contains("kafkaStreamsLiveness");
        } finally {
            app.close();
        }
    }

    private static ConfigurableApplicationContext start(Topics topics) {
        return TopologyApplication.start(Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "MAILER_TOPIC_PREFIX", topics.prefix(), "PORT", "0"));
    }

    private static String base(ConfigurableApplicationContext app) {
        return "http://localhost:" + app.getEnvironment().getProperty("local.server.port");
    }

    private static BatchCommand chunk(MessageContent message, String tenant, String batchId, String... emails) {
        List<RecipientEntry> recipients = java.util.Arrays.stream(emails)
                .map(e -> new RecipientEntry(e, Map.of(), Map.of())).toList();
        return BatchCommand.submitChunk(batchId, tenant, 0, 1, 0, recipients.size(), message, recipients, Instant.now());
    }

    /** A producer allowed to write what the 4 MiB batch-commands topic accepts. */
    private static KafkaProducer<String, byte[]> largeProducer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.MAX_REQUEST_SIZE_CONFIG, LARGE_LIMIT),
                new StringSerializer(), new ByteArraySerializer());
    }

    private static void send(KafkaProducer<String, byte[]> producer, Topics topics, BatchCommand command)
            throws Exception {
        producer.send(new ProducerRecord<>(topics.batchCommands.name(), command.batchId(),
                topics.batchCommands.valueSerde().serializer().serialize(null, command))).get();
    }

    private static int poll(KafkaConsumer<String, byte[]> consumer, List<ConsumerRecord<String, byte[]>> into) {
        consumer.poll(Duration.ofMillis(200)).forEach(into::add);
        return into.size();
    }

    private static List<String> keys(List<ConsumerRecord<String, byte[]>> records, String topic) {
        return records.stream().filter(r -> r.topic().equals(topic)).map(ConsumerRecord::key).toList();
    }

    private static ConsumerRecord<String, byte[]> only(List<ConsumerRecord<String, byte[]>> records, String topic) {
        List<ConsumerRecord<String, byte[]>> in = records.stream().filter(r -> r.topic().equals(topic)).toList();
        assertThat(in).hasSize(1);
        return in.get(0);
    }

    private int status(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private String body(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
