package io.mailer.feedback.support;

import static org.awaitility.Awaitility.await;

import io.mailer.devstack.DevStack;
import io.mailer.feedback.FeedbackApplication;
import io.mailer.feedback.system.FeedbackTopics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * One embedded Kafka + PostgreSQL + ElasticMQ and one running feedback service, shared by every
 * integration test class of the module (started on first use, stopped when the JVM exits), each
 * test working on its own batch and send ids.
 */
public final class FeedbackStack {

    private static FeedbackStack instance;

    private final DevStack devStack;
    private final ConfigurableApplicationContext app;
    private final KafkaProducer<String, byte[]> producer;
    private final Admin admin;
    private final Map<String, String> env;

    private FeedbackStack() {
        devStack = DevStack.start(DevStack.Options.defaults().ses(false).partitions(3));
        // the fixtures use fixed 2026-11 timestamps: keep their rows whatever the day the tests run
        env = devStack.env(Map.of("PORT", "0", "SQS_WAIT_SECONDS", "1", "VIEW_RETENTION_DAYS", "36500"));
        app = FeedbackApplication.start(env);
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, devStack.kafka().bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
        admin = devStack.kafka().admin();
    }

    public static synchronized FeedbackStack get() {
        if (instance == null) {
            instance = new FeedbackStack();
            Runtime.getRuntime().addShutdownHook(new Thread(instance::close, "feedback-stack-stop"));
        }
        return instance;
    }

    /** Another replica of the service on the same Kafka, PostgreSQL and queue (same consumer group). */
    public ConfigurableApplicationContext startAnotherInstance() {
        return FeedbackApplication.start(env);
    }

    /** The environment the shared service was started with. */
    public Map<String, String> env() {
        return env;
    }

    public DevStack devStack() {
        return devStack;
    }

    public ConfigurableApplicationContext app() {
        return app;
    }

    public JdbcTemplate jdbc() {
        return app.getBean(JdbcTemplate.class);
    }

    public FeedbackTopics topics() {
        return app.getBean(FeedbackTopics.class);
    }

    public SqsClient sqs() {
        return devStack.sqs().client();
    }

    public String queueUrl() {
        return devStack.queueUrl();
    }

    public TopicReader reader(String topic) {
        return new TopicReader(devStack.kafka().bootstrapServers(), topic);
    }

    /** Sends and waits for the ack. A null value is a tombstone. */
    public void send(String topic, String key, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends without waiting for the ack; call {@link #flush()} before relying on it. */
    public void sendNoWait(String topic, String key, byte[] value) {
        producer.send(new ProducerRecord<>(topic, key, value));
    }

    /** Waits until every record sent so far is acknowledged. */
    public void flush() {
        producer.flush();
    }

    /** Waits until the projector has committed offsets up to the end of every partition it reads. */
    public void awaitProjectorCaughtUp() {
        flush();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> projectorBehind().isEmpty());
    }

    /** The source partitions whose committed offset is behind the (read_committed) end. */
    public List<TopicPartition> projectorBehind() throws Exception {
        String group = topics().topics().prefix() + "projector";
        Map<TopicPartition, OffsetAndMetadata> committed =
                admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (String topic : topics().projectorSources()) {
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
            for (int p = 0; p < partitions; p++) {
                request.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
        }
        var ends = admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get();
        List<TopicPartition> behind = new ArrayList<>();
        ends.forEach((tp, end) -> {
            OffsetAndMetadata c = committed.get(tp);
            if (end.offset() > 0 && (c == null || c.offset() < end.offset())) {
                behind.add(tp);
            }
        });
        return behind;
    }

    private void close() {
        try {
            admin.close();
            producer.close();
            app.close();
        } finally {
            devStack.close();
        }
    }
}
