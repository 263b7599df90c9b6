package io.mailer.dispatcher.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailer.devstack.EmbeddedKafka;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * A view started while Kafka is unreachable (a replica starting before the broker) retries with
 * back-off in its consumer loop, says RETRYING meanwhile, reads the topic once the broker is there
 * without a restart of the replica, and stops cleanly.
 */
class CompactedTopicViewRestartIT {

    @Test
    void shouldRetryUntilKafkaIsReachableThenFollowTheTopic() throws Exception {
        // Given a view started against a port where no broker listens yet
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String topic = "it-restart.batch-cancellations";
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:" + port,
                ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000, ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        CompactedTopicView<String> view = new CompactedTopicView<>(config, topic, new StringDeserializer());
        try {
            view.start();

            // When its first read fails (the metadata request times out after 60 s)
            await().atMost(Duration.ofSeconds(90)).until(() -> "RETRYING".equals(view.state()));
            assertThat(view.isFollowing()).isTrue();
            assertThat(view.isInitialized()).isFalse();

            // and the broker then comes up on that port, with a record on the topic
            try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary(port)) {
                try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                    admin.createTopics(java.util.List.of(new NewTopic(topic, 2, (short) 1))).all().get();
                } catch (java.util.concurrent.ExecutionException e) {
                    // the view's own metadata request may have created it first (broker auto-creation)
                    assertThat(e.getCause()).isInstanceOf(org.apache.kafka.common.errors.TopicExistsException.class);
                }
                try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                        new StringSerializer(), new StringSerializer())) {
                    producer.send(new ProducerRecord<>(topic, "b1", "cancelled")).get();
                }

                // Then it reads the record and follows, and says so
                await().atMost(Duration.ofSeconds(120)).until(() -> view.contains("b1"));
                assertThat(view.get("b1")).contains("cancelled");
                assertThat(view.state()).isEqualTo("FOLLOWING");
                await().atMost(Duration.ofSeconds(30)).until(view::isInitialized);
            }
        } finally {
            view.stop();
        }
        assertThat(view.state()).isEqualTo("STOPPED");
        assertThat(view.isRunning()).isFalse();
    }
}
