package io.mailer.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailer.devstack.EmbeddedKafka;
import io.mailer.schemas.commands.BatchCommand;
import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.commands.RecipientEntry;
import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.EventType;
import io.mailer.schemas.events.SendRequest;
import io.mailer.schemas.events.Suppression;
import io.mailer.schemas.kafka.Topics;
import io.mailer.topology.system.StreamsLifecycle;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/** The service as deployed: {@link TopologyApplication#start} against one real (embedded) broker. */
class TopologyApplicationIntegrationTest {

    private static final Duration PATIENCE = Duration.ofSeconds(120);
    private static final String TENANT = "acme";
    private static final Set<Integer> SUPPRESSED_INDEXES = Set.of(3, 17, 42, 64, 99);

    private static EmbeddedKafka kafka;
    private static final Topics topics = new Topics("it.");
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start();
        // as many partitions as the service declares (mailer.topics.partitions), so it changes nothing
        kafka.createTopics(topics, 6);
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void shouldTurnA100RecipientBatchIntoExactly100CommittedRecordsAcrossSendsAndDeliveryEvents() throws Exception {
        // Given five of the hundred addresses suppressed for the tenant, before the service starts
        try (var producer = producer()) {
            for (int i : SUPPRESSED_INDEXES) {
                Suppression s = new Suppression(TENANT, address(i), Suppression.Reason.BOUNCE, "evt-" + i, Instant.now());
                producer.send(new ProducerRecord<>(topics.suppressions.name(), s.key(),
                        topics.suppressions.valueSerde().serializer().serialize(null, s))).get();
            }
        }
        ConfigurableApplicationContext app = TopologyApplication.start(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "MAILER_TOPIC_PREFIX", topics.prefix(),
                "PORT", "0"));
        try {
            String base = awaitReady(app);
            assertThat(status(base + "/api/v1/health")).isEqualTo(200);

            // When the batch arrives as two chunks (60 + 40 recipients)
            try (var producer = producer()) {
                send(producer, chunk("batch-it", 0, 60));
                send(producer, chunk("batch-it", 60, 40));
            }

            // Then exactly 100 committed records: one per recipient, in one of the two topics
            List<ConsumerRecord<String, byte[]>> received = new ArrayList<>();
            try (var consumer = readCommittedConsumer()) {
                consumer.subscribe(List.of(topics.sends.name(), topics.deliveryEvents.name()));
                await().atMost(PATIENCE).until(() -> poll(consumer, received) >= 100);
                // and nothing more turns up afterwards
                await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(30))
                        .until(() -> poll(consumer, received) == 100);
            }
            Set<String> sendIds = new TreeSet<>();
            Set<Integer> suppressed = new TreeSet<>();
            for (ConsumerRecord<String, byte[]> r : received) {
                sendIds.add(r.key());
                if (r.topic().equals(topics.deliveryEvents.name())) {
                    DeliveryEvent e = topics.deliveryEvents.valueSerde().deserializer().deserialize(r.topic(), r.value());
                    assertThat(e.type()).isEqualTo(EventType.SUPPRESSED);
                    assertThat(e.reason()).isEqualTo("suppressed:BOUNCE");
                    suppressed.add(e.recipientIndex());
                } else {
                    SendRequest s = topics.sends.valueSerde().deserializer().deserialize(r.topic(), r.value());
                    assertThat(s.sendId()).isEqualTo(r.key());
                    assertThat(s.email()).isEqualTo(address(s.recipientIndex()));
                }
            }
            assertThat(sendIds).isEqualTo(IntStream.range(0, 100).mapToObj(i -> "batch-it-" + i)
                    .collect(Collectors.toCollection(TreeSet::new)));
            assertThat(suppressed).isEqualTo(new TreeSet<>(SUPPRESSED_INDEXES));

            // and the topology's counters reach Prometheus through the KafkaStreams binder
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(body(base + "/actuator/prometheus"))
                    .contains("kafka_stream_mailer_recipients_fanned_out_total{",
                            "kafka_stream_mailer_recipients_suppressed_total{"));
        } finally {
            StreamsLifecycle lifecycle = app.getBean("kafkaStreamsLifecycle", StreamsLifecycle.class);
            app.close();
            // graceful: closed on purpose, not failed
            assertThat(lifecycle.state()).isEqualTo(KafkaStreams.State.NOT_RUNNING);
            assertThat(lifecycle.failed()).isFalse();
        }
    }

    @Test
    void shouldStoreTheSendsOfALargeTemplateCompressedOnTheBroker() throws Exception {
        // Given a batch of 600 recipients whose message has 50 KB of html (newsletter-like text, about
        // 6:1 compressible on its own), carried by every one of its send records
        Topics sized = new Topics("it-size.");
        kafka.createTopics(sized, 6);
        MessageContent large = new MessageContent("news@mailer.example", null, "Digest for {{name}}",
                newsletterHtml(50_000), "Digest", Map.of(), Map.of(), null, false);
        ConfigurableApplicationContext app = TopologyApplication.start(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "MAILER_TOPIC_PREFIX", sized.prefix(),
                "PORT", "0"));
        try {
            awaitReady(app);

            // When it is fanned out
            try (var producer = producer()) {
                for (int chunk = 0; chunk < 2; chunk++) {
                    List<RecipientEntry> recipients = IntStream.range(chunk * 300, chunk * 300 + 300)
                            .mapToObj(i -> new RecipientEntry("big" + i + "@example.com", Map.of("name", "R" + i), Map.of()))
                            .toList();
                    BatchCommand command = BatchCommand.submitChunk("batch-large", "bulky", chunk, 2, chunk * 300, 600,
                            large, recipients, Instant.now());
                    producer.send(new ProducerRecord<>(sized.batchCommands.name(), command.batchId(),
                            sized.batchCommands.valueSerde().serializer().serialize(null, command))).get();
                }
            }
            List<ConsumerRecord<String, byte[]>> received = new ArrayList<>();
            try (var consumer = readCommittedConsumer()) {
                consumer.subscribe(List.of(sized.sends.name()));
                await().atMost(PATIENCE).until(() -> poll(consumer, received) >= 600);
            }
            assertThat(received).allSatisfy(r -> assertThat(r.value().length).isGreaterThan(50_000));

            // Then the broker stores them compressed across records: a few KB per recipient at most,
            // not the 50 KB each record carries (nor the ~8 KB of each record compressed alone)
            long bytes = brokerBytes(sized.sends.name());
            System.out.printf("large template: %d sends of %d B each stored in %d B on the broker (%d B per send)%n",
                    received.size(), received.get(0).value().length, bytes, bytes / received.size());
            assertThat(bytes / received.size()).isLessThan(5_000);
        } finally {
            app.close();
        }
    }

    /** Waits until the service says it is ready; returns its base URL. */
    private String awaitReady(ConfigurableApplicationContext app) {
        String base = "http://localhost:" + app.getEnvironment().getProperty("local.server.port");
        await().atMost(PATIENCE).until(() -> status(base + "/api/v1/ready") == 200);
        return base;
    }

    /** About {@code size} characters of html: paragraphs of words drawn (seeded) from a small vocabulary. */
    private static String newsletterHtml(int size) {
        String[] words = ("story week readers team update product launch guide tips data report city market price "
                + "offer event season travel garden recipe kitchen review science health music film book").split(" ");
        java.util.Random random = new java.util.Random(19);
        StringBuilder html = new StringBuilder("<html><body><h1>Hello {{name}}</h1>");
        while (html.length() < size) {
            html.append("<p style=\"margin:0 0 12px\">");
            for (int w = 8 + random.nextInt(10); w > 0; w--) {
                html.append(words[random.nextInt(words.length)]).append(w > 1 ? ' ' : '.');
            }
            html.append("</p>");
        }
        return html.append("</body></html>").toString();
    }

    /** Bytes the broker's log directories hold for {@code topic}, all partitions. */
    private static long brokerBytes(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            List<Integer> brokers = admin.describeCluster().nodes().get().stream().map(Node::id).toList();
            return admin.describeLogDirs(brokers).allDescriptions().get().values().stream()
                    .flatMap(dirs -> dirs.values().stream())
                    .flatMap(dir -> dir.replicaInfos().entrySet().stream())
                    .filter(e -> e.getKey().topic().equals(topic))
                    .mapToLong(e -> e.getValue().size())
                    .sum();
        }
    }

    private static String address(int index) {
        return "user" + index + "@example.com";
    }

    private static BatchCommand chunk(String batchId, int first, int size) {
        List<RecipientEntry> recipients = IntStream.range(first, first + size)
                .mapToObj(i -> new RecipientEntry(address(i), Map.of("n", i), Map.of())).toList();
        return BatchCommand.submitChunk(batchId, TENANT, first == 0 ? 0 : 1, 2, first, 100,
                TopologyFixture.MESSAGE, recipients, Instant.now());
    }

    private static void send(KafkaProducer<String, byte[]> producer, BatchCommand command) throws Exception {
        producer.send(new ProducerRecord<>(topics.batchCommands.name(), command.batchId(),
                topics.batchCommands.valueSerde().serializer().serialize(null, command))).get();
    }

    private static int poll(KafkaConsumer<String, byte[]> consumer, List<ConsumerRecord<String, byte[]>> into) {
        consumer.poll(Duration.ofMillis(200)).forEach(into::add);
        return into.size();
    }

    private static KafkaProducer<String, byte[]> producer() {
        return BrokerClients.producer(kafka.bootstrapServers());
    }

    private static KafkaConsumer<String, byte[]> readCommittedConsumer() {
        return BrokerClients.readCommittedConsumer(kafka.bootstrapServers(), "it-reader");
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
