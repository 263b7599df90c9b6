package io.mailer.feedback.system;

import io.mailer.feedback.support.FeedbackStack;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.web.reactive.server.WebTestClient;

/** The HTTP contract of the running service: probes and metrics. */
class ProbesIntegrationTest {

    private static WebTestClient http;

    @BeforeAll
    static void start() {
        FeedbackStack stack = FeedbackStack.get();
        String port = stack.app().getEnvironment().getProperty("local.server.port");
        http = WebTestClient.bindToServer().baseUrl("http://localhost:" + port).build();
    }

    @Test
    void shouldAnswerLivenessWithUp() {
        http.get().uri("/api/v1/health").exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("UP");
    }

    @Test
    void shouldReportReadyWhenDatabaseAndKafkaAreReachable() {
        http.get().uri("/api/v1/ready").exchange()
                .expectStatus().isOk()
                .expectBody()
                .jsonPath("$.status").isEqualTo("UP")
                .jsonPath("$.components.db.status").isEqualTo("UP")
                .jsonPath("$.components.kafka.status").isEqualTo("UP")
                .jsonPath("$.components.readinessState.status").isEqualTo("UP");
    }

    @Test
    void shouldExposeFeedbackMetricsToPrometheus() {
        http.get().uri("/actuator/prometheus").exchange()
                .expectStatus().isOk()
                .expectBody(String.class).value(body -> org.assertj.core.api.Assertions.assertThat(body)
                        .contains("mailer_feedback_quarantined_total{reason=\"unparsable\"}")
                        .contains("mailer_feedback_quarantined_total{reason=\"bad_signature\"}"));
    }
}
