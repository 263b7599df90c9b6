package io.mailer.devstack.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailer.devstack.DevStack;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Managed Kafka clusters require authentication. Here the broker's only client listener demands
 * SASL PLAIN, and the four services get nothing but the KAFKA_SECURITY_PROTOCOL / KAFKA_SASL_*
 * variables: a batch reaching its final counts proves that every Kafka client they build —
 * producers, consumers, admin clients, Streams, the dispatcher's compacted-topic views — carries
 * the credentials (a client without them could not even fetch metadata from that listener).
 */
class KafkaSaslE2EIT {

    @Test
    void shouldRunABatchEndToEndAgainstABrokerThatRequiresSasl() {
        try (DevStack stack = DevStack.start(DevStack.Options.defaults().kafkaSasl("mailer", "s3cret-\"quoted\""));
                MailerServices services = MailerServices.start(stack.env(), MailerServices.Ports.RANDOM)) {
            assertThat(stack.env()).containsEntry("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT")
                    .containsEntry("KAFKA_BOOTSTRAP_SERVERS", stack.kafka().saslBootstrapServers());
            WebTestClient api = WebTestClient.bindToServer().baseUrl("http://localhost:" + services.ingressPort())
                    .responseTimeout(Duration.ofSeconds(30)).build();
            // every service reports ready, Kafka included
            for (ConfigurableApplicationContext service : services.contexts()) {
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> WebTestClient.bindToServer()
                        .baseUrl("http://localhost:" + MailerServices.port(service)).build()
                        .get().uri("/api/v1/ready").exchange().expectStatus().isOk());
            }

            // When a batch of three is submitted
            Map<?, ?> accepted = api.post().uri("/api/v1/batches")
                    .header("Authorization", "Bearer " + DevStack.BOOTSTRAP_ADMIN_KEY)
                    .contentType(MediaType.APPLICATION_JSON).bodyValue("""
                            {"from":"News <news@example.com>","subject":"Hi","text":"Hello",
                             "recipients":[{"email":"a@example.com"},{"email":"b@example.com"},
                                           {"email":"bounce@simulator.amazonses.com"}]}""")
                    .exchange().expectStatus().isAccepted().expectBody(Map.class).returnResult().getResponseBody();
            String batchId = (String) accepted.get("id");

            // Then it travels topology → dispatcher → SES → feedback → projector to its final counts
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                    assertThat(api.get().uri("/api/v1/batches/" + batchId)
                            .header("Authorization", "Bearer " + DevStack.BOOTSTRAP_ADMIN_KEY)
                            .exchange().expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody())
                            .containsEntry("status", "COMPLETED")
                            .containsEntry("counts", Map.of("total", 3, "queued", 0, "suppressed", 0, "sent", 3,
                                    "delivered", 2, "bounced", 1, "complained", 0, "failed", 0, "cancelled", 0)));
        }
    }
}
