package io.mailer.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.schemas.kafka.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaTest {

    @Test
    void shouldDeliverOnlyCommittedTransactionalRecordsToReadCommittedConsumer() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            // Given a topic
            kafka.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic("tx-test", 3, (short) 1)));

            // When one transaction commits and one aborts
            try (KafkaProducer<String, String> producer = transactionalProducer(kafka, "tx-1")) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("tx-test", "k1", "committed-1"));
                producer.send(new ProducerRecord<>("tx-test", "k2", "committed-2"));
                producer.commitTransaction();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("tx-test", "k3", "aborted"));
                producer.flush();
                producer.abortTransaction();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("tx-test", "k4", "committed-3"));
                producer.commitTransaction();
            }

            // Then a read_committed consumer sees exactly the committed values
            assertThat(readValues(kafka, "tx-test", 3)).containsExactlyInAnyOrder("committed-1", "committed-2", "committed-3");
        }
    }

    @Test
    void shouldServeASaslListenerThatAcceptsOnlyTheConfiguredUser() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.startWithSasl("mailer", "s3cret")) {
            // Given the right credentials, the SASL listener answers
            try (Admin admin = Admin.create(sasl(kafka, "s3cret"))) {
                assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(1);
            }
            // and a wrong password is refused
            try (Admin admin = Admin.create(sasl(kafka, "wrong"))) {
                org.assertj.core.api.Assertions.assertThatThrownBy(
                                () -> admin.describeCluster().nodes().get(30, TimeUnit.SECONDS))
                        .hasCauseInstanceOf(org.apache.kafka.common.errors.SaslAuthenticationException.class);
            }
        }
    }

    private static Map<String, Object> sasl(EmbeddedKafka kafka, String password) {
        return Map.of("bootstrap.servers", kafka.saslBootstrapServers(), "security.protocol", "SASL_PLAINTEXT",
                "sasl.mechanism", "PLAIN", "sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"mailer\" password=\""
                        + password + "\";", "default.api.timeout.ms", 20000, "request.timeout.ms", 10000);
    }

    @Test
    void shouldRunAnExactlyOnceStreamsAppOnTheSingleBroker(@TempDir Path stateDir) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic("words", 2, (short) 1),
                    new org.apache.kafka.clients.admin.NewTopic("shouted", 2, (short) 1)));
            StreamsBuilder builder = new StreamsBuilder();
            builder.stream("words", Consumed.with(Serdes.String(), Serdes.String()))
                    .mapValues(v -> v.toUpperCase(java.util.Locale.ROOT), Named.as("shout"))
                    .to("shouted", Produced.with(Serdes.String(), Serdes.String()));
            Properties props = new Properties();
            props.put(StreamsConfig.APPLICATION_ID_CONFIG, "eos-check");
            props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
            props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
            props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
            try (KafkaStreams streams = new KafkaStreams(builder.build(), props)) {
                streams.start();
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60))
                        .until(() -> streams.state() == KafkaStreams.State.RUNNING);
                try (KafkaProducer<String, String> producer = transactionalProducer(kafka, "tx-words")) {
                    producer.initTransactions();
                    producer.beginTransaction();
                    producer.send(new ProducerRecord<>("words", "1", "hello"));
                    producer.send(new ProducerRecord<>("words", "2", "kafka"));
                    producer.commitTransaction();
                }
                assertThat(readValues(kafka, "shouted", 2)).containsExactlyInAnyOrder("HELLO", "KAFKA");
            }
        }
    }

    @Test
    void shouldCreateEveryRegistryTopicWithCompactionForSuppressionsAndIgnoreExistingOnes() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            Topics topics = new Topics("it.");
            // When created twice (the second call must be a no-op, not an error)
            kafka.createTopics(topics, 4);
            kafka.createTopics(topics, 4);

            try (Admin admin = kafka.admin()) {
                Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS);
                assertThat(names).contains("it.batch-commands", "it.sends", "it.sends-dlt", "it.suppressions", "it.delivery-events");
                Map<String, TopicDescription> described = admin.describeTopics(List.of("it.sends", "it.suppressions"))
                        .allTopicNames().get(30, TimeUnit.SECONDS);
                assertThat(described.get("it.sends").partitions()).hasSize(4);
                ConfigResource suppressions = new ConfigResource(ConfigResource.Type.TOPIC, "it.suppressions");
                ConfigResource sends = new ConfigResource(ConfigResource.Type.TOPIC, "it.sends");
                var configs = admin.describeConfigs(List.of(suppressions, sends)).all().get(30, TimeUnit.SECONDS);
                assertThat(configs.get(suppressions).get("cleanup.policy").value()).isEqualTo("compact");
                assertThat(configs.get(sends).get("cleanup.policy").value()).isEqualTo("delete");
            }
        }
    }

    @Test
    void shouldKeepRecordsWhenRestartedOnTheSameDataDirAndPort(@TempDir Path dataDir) throws Exception {
        int port;
        // Given a broker with a persistent folder and one committed record
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir)) {
            port = kafka.port();
            kafka.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic("durable", 1, (short) 1)));
            try (KafkaProducer<String, String> producer = transactionalProducer(kafka, "tx-durable")) {
                producer.initTransactions();
                producer.beginTransaction();
                producer.send(new ProducerRecord<>("durable", "k", "survives-restart"));
                producer.commitTransaction();
            }
        }
        // When a new broker starts on the same folder and port
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, port)) {
            // Then the record is still there
            assertThat(kafka.bootstrapServers()).isEqualTo("localhost:" + port);
            assertThat(readValues(kafka, "durable", 1)).containsExactly("survives-restart");
        }
    }

    static KafkaProducer<String, String> transactionalProducer(EmbeddedKafka kafka, String txId) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, txId,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer());
    }

    static List<String> readValues(EmbeddedKafka kafka, String topic, int expected) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "reader-" + topic + "-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    values.add(r.value());
                }
            }
            // One more poll: nothing beyond the expected records may show up.
            consumer.poll(Duration.ofMillis(500)).forEach(r -> values.add(r.value()));
        }
        return values;
    }
}
