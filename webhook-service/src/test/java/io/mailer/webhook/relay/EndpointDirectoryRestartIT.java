package io.mailer.webhook.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailer.devstack.EmbeddedKafka;
import io.mailer.platform.kafka.ConsumerLoop;
import io.mailer.schemas.kafka.Topics;
import io.mailer.schemas.webhooks.WebhookEndpoint;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Kafka unreachable when a replica starts: the endpoint copy used to end on its first exception
 * (partitionsFor timing out after 10 s) and the relay then ran with no endpoints for good, skipping
 * every tenant's events. Now it retries with back-off, shows RETRYING meanwhile, and loads once the
 * broker is there.
 */
class EndpointDirectoryRestartIT {

    @Test
    void shouldRetryUntilKafkaIsReachableAndThenLoadTheEndpoints() throws Exception {
        // Given a directory started against a port where no broker listens yet
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Topics topics = new Topics("it-restart.");
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:" + port,
                ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
        try (EndpointDirectory directory = new EndpointDirectory(topics.webhookEndpoints, config)) {
            directory.start();

            // When its first reads fail (the metadata request times out after 10 s)
            await().atMost(Duration.ofSeconds(30)).until(() -> directory.loop().failures() > 0);
            assertThat(directory.loop().state()).isIn(ConsumerLoop.State.RETRYING, ConsumerLoop.State.STARTING);
            assertThat(directory.caughtUp()).isFalse();

            // and the broker then comes up on that port, with an endpoint on the topic
            try (EmbeddedKafka kafka = EmbeddedKafka.startTemporary(port)) {
                kafka.createTopics(topics, 3);
                Instant now = Instant.now();
                WebhookEndpoint e = new WebhookEndpoint("wh_restart0000000000001", "t1", "https://example.com/hook", List.of(),
                        "test", true, null, null, List.of(), 1, now, now, 1);
                try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(),
                        (t, v) -> v)) {
                    producer.send(new ProducerRecord<>(topics.webhookEndpoints.name(), e.id(),
                            topics.webhookEndpoints.valueSerde().serializer().serialize(topics.webhookEndpoints.name(), e))).get();
                }

                // Then it loads the endpoint and reads on, without a restart of the replica
                await().atMost(Duration.ofSeconds(90)).until(() -> directory.get(e.id()) != null);
                assertThat(directory.forTenant("t1")).extracting(WebhookEndpoint::id).containsExactly(e.id());
                assertThat(directory.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
                assertThat(directory.loop().state()).isEqualTo(ConsumerLoop.State.READING);
                assertThat(directory.loop().alive()).isTrue();
            }
        }
    }
}
