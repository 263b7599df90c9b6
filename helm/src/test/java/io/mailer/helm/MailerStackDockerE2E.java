package io.mailer.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailer.devstack.DevStack;
import io.mailer.devstack.launcher.MailerServices;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * End to end on the real infrastructure images: the official apache/kafka broker and PostgreSQL 17
 * in containers, the four services in this JVM, SQS and the SES sandbox from the test kit.
 * Opt-in: {@code mvn -pl helm verify -Pdocker-e2e} on a machine with a Docker engine.
 */
@Testcontainers(disabledWithoutDocker = true)
class MailerStackDockerE2E {

    static final String ADMIN_KEY = "mk_dev_bootstrap_admin_key_change_me_0000000000";

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.2");

    @Container
    static final PostgreSQLContainer POSTGRES = new PostgreSQLContainer("postgres:17.6")
            .withDatabaseName("mailer").withUsername("mailer").withPassword("mailer");

    static DevStack aws;
    static MailerServices services;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void startServices() {
        aws = DevStack.start(DevStack.Options.defaults().kafka(false).postgres(false));
        Map<String, String> env = new HashMap<>(aws.env());
        env.put("KAFKA_BOOTSTRAP_SERVERS", KAFKA.getBootstrapServers());
        env.put("DATABASE_URL", "postgres://mailer:mailer@" + POSTGRES.getHost() + ":" + POSTGRES.getMappedPort(5432) + "/mailer");
        env.putIfAbsent("MAILER_BOOTSTRAP_ADMIN_KEY", ADMIN_KEY);
        services = MailerServices.start(env, MailerServices.Ports.RANDOM);
    }

    @AfterAll
    static void stopServices() {
        if (services != null) {
            services.close();
        }
        if (aws != null) {
            aws.close();
        }
    }

    @Test
    void shouldCarryABatchToItsFinalCountsOnRealKafkaAndPostgres() throws Exception {
        // Given a batch to the SES mailbox simulator: a delivery, a bounce, a complaint and an ordinary address
        String body = """
                {"from":"News <news@example.com>","subject":"Hello {{name}}","text":"Hi {{name}}",
                 "recipients":[{"email":"success@simulator.amazonses.com","variables":{"name":"S"}},
                               {"email":"bounce@simulator.amazonses.com","variables":{"name":"B"}},
                               {"email":"complaint@simulator.amazonses.com","variables":{"name":"C"}},
                               {"email":"ann@example.com","variables":{"name":"A"}}]}""";

        // When it is submitted
        HttpResponse<String> accepted = HTTP.send(request("/api/v1/batches")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String id = (String) Chart.JSON.readValue(accepted.body(), Map.class).get("id");

        // Then every recipient reaches its final state, as SES would report it
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            Map<?, ?> batch = Chart.JSON.readValue(HTTP.send(request("/api/v1/batches/" + id).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body(), Map.class);
            assertThat(batch.get("counts")).isEqualTo(Map.of("total", 4, "queued", 0, "suppressed", 0, "sent", 4,
                    "delivered", 3, "bounced", 1, "complained", 1, "failed", 0, "cancelled", 0));
            assertThat(batch.get("status")).isEqualTo("COMPLETED");
        });
        assertThat(aws.ses().sent()).filteredOn(m -> m.tags().containsValue(id)).hasSize(4);
    }

    private static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + services.ingressPort() + path))
                .header("Authorization", "Bearer " + ADMIN_KEY).timeout(Duration.ofSeconds(30));
    }
}
