package io.mailer.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.devstack.EmbeddedKafka;
import io.mailer.devstack.EmbeddedPostgresDb;
import io.mailer.schemas.commands.BatchCommand;
import io.mailer.schemas.kafka.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The ingress service against a real Kafka broker and a real PostgreSQL: submissions land on
 * batch-commands as one transaction of chunks; bad requests get precise problem+json answers.
 */
class IngressApiIT {

    static final String ADMIN_KEY = "mk_test_bootstrap_admin_key_0123456789abcdef";
    static EmbeddedKafka kafka;
    static EmbeddedPostgresDb postgres;
    static ConfigurableApplicationContext app;
    static WebTestClient client;
    static final Topics TOPICS = new Topics("it-ingress.");

    @BeforeAll
    static void startStack() {
        kafka = EmbeddedKafka.start();
        postgres = EmbeddedPostgresDb.start();
        kafka.createTopics(TOPICS, 2);
        Map<String, String> env = new HashMap<>();
        env.put("PORT", "0");
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("MAILER_TOPIC_PREFIX", TOPICS.prefix());
        env.put("DATABASE_URL", postgres.databaseUrl());
        env.put("MAILER_BOOTSTRAP_ADMIN_KEY", ADMIN_KEY);
        env.put("INGRESS_CHUNK_SIZE", "2");
        app = IngressApplication.start(env);
        String port = app.getEnvironment().getProperty("local.server.port");
        client = WebTestClient.bindToServer().baseUrl("http://localhost:" + port).responseTimeout(Duration.ofSeconds(30)).build();
    }

    @AfterAll
    static void stopStack() {
        if (app != null) {
            app.close();
        }
        if (postgres != null) {
            postgres.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    private static String batch(String recipientsJson) {
        return """
                {"from":"News <news@example.com>","subject":"Hello {{name}}","html":"<p>Hi {{name}}</p>",
                 "recipients":%s}""".formatted(recipientsJson);
    }

    @Test
    void shouldAcceptABatchAndWriteItsChunksToKafkaBeforeAnswering() {
        String body = batch("""
                [{"email":"a@example.com","variables":{"name":"Ann"}},{"email":"b@example.com","variables":{"name":"Bob"}},
                 {"email":"c@example.com","variables":{"name":"Cy"}}]""");

        var response = client.post().uri("/api/v1/batches").header("Authorization", "Bearer " + ADMIN_KEY)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                .exchange()
                .expectStatus().isAccepted()
                .expectHeader().valueMatches("Location", "/api/v1/batches/bat_[0-9a-z]{26}")
                .expectBody(Map.class).returnResult().getResponseBody();

        assertThat(response).containsEntry("status", "ACCEPTED").containsEntry("recipients", 3);
        String batchId = (String) response.get("id");
        List<BatchCommand> chunks = readCommands(batchId, 2);
        assertThat(chunks).extracting(BatchCommand::chunkIndex).containsExactly(0, 1);
        assertThat(chunks).extracting(BatchCommand::firstRecipientIndex).containsExactly(0, 2);
        assertThat(chunks).allSatisfy(c -> {
            assertThat(c.tenantId()).isEqualTo("default");
            assertThat(c.chunkCount()).isEqualTo(2);
            assertThat(c.totalRecipients()).isEqualTo(3);
            assertThat(c.message().subject()).isEqualTo("Hello {{name}}");
        });
        assertThat(chunks.get(1).recipients()).singleElement()
                .satisfies(r -> assertThat(r.variables()).containsEntry("name", "Cy"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "missing subject   | {\"from\":\"a@example.com\",\"html\":\"x\",\"recipients\":[{\"email\":\"b@example.com\"}]} | subject",
            "invalid address   | {\"from\":\"a@example.com\",\"subject\":\"s\",\"html\":\"x\",\"recipients\":[{\"email\":\"nope\"}]} | recipients[0].email",
            "empty recipients  | {\"from\":\"a@example.com\",\"subject\":\"s\",\"html\":\"x\",\"recipients\":[]} | recipients",
            "wrong type        | {\"from\":\"a@example.com\",\"subject\":\"s\",\"html\":\"x\",\"recipients\":\"b@example.com\"} | recipients",
            "wrong nested type | {\"from\":\"a@example.com\",\"subject\":\"s\",\"html\":\"x\",\"recipients\":[{\"email\":[1]}]} | recipients[0].email",
            "malformed JSON    | {\"from\":\"a@example.com\",\"subject\": | ''"})
    void shouldAnswerBadRequestsWithProblemJsonNamingTheProblem(String name, String body, String field) {
        var problem = client.post().uri("/api/v1/batches").header("Authorization", "Bearer " + ADMIN_KEY)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                .exchange()
                .expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody(Map.class).returnResult().getResponseBody();

        assertThat(problem).containsEntry("status", 400).containsKey("detail").containsKey("type");
        if (!field.isEmpty()) {
            assertThat((List<Map<String, String>>) problem.get("errors")).extracting(e -> e.get("field")).contains(field);
            assertThat((String) problem.get("detail")).contains(field);
        } else {
            assertThat((String) problem.get("detail")).startsWith("Malformed JSON");
        }
    }

    @Test
    void shouldRejectMissingAndWrongKeysWith401() {
        client.post().uri("/api/v1/batches").contentType(MediaType.APPLICATION_JSON).bodyValue(batch("[]"))
                .exchange().expectStatus().isUnauthorized()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
        client.get().uri("/api/v1/batches/bat_00000000000000000000000000").header("Authorization", "Bearer mk_wrong_key_000000000000000000000000")
                .exchange().expectStatus().isUnauthorized()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
    }

    @Test
    void shouldAnswer404ProblemForUnknownBatchAndUnknownRoute() {
        client.get().uri("/api/v1/batches/bat_00000000000000000000000000").header("Authorization", "Bearer " + ADMIN_KEY)
                .exchange().expectStatus().isNotFound().expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
        client.get().uri("/api/v1/nothing-here").header("Authorization", "Bearer " + ADMIN_KEY)
                .exchange().expectStatus().isNotFound().expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
    }

    @Test
    void shouldAnswer415ProblemForUnsupportedMediaType() {
        client.post().uri("/api/v1/batches").header("Authorization", "Bearer " + ADMIN_KEY)
                .contentType(MediaType.TEXT_PLAIN).bodyValue("hello")
                .exchange().expectStatus().isEqualTo(415).expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
    }

    @Test
    void shouldReportLivenessAndReadinessWithoutAuth() {
        client.get().uri("/api/v1/health").exchange().expectStatus().isOk().expectBody().jsonPath("$.status").isEqualTo("UP");
        client.get().uri("/api/v1/ready").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.components.kafka.status").isEqualTo("UP")
                .jsonPath("$.components.r2dbc.status").isEqualTo("UP");
    }

    @Test
    void shouldExposePrometheusMetrics() {
        client.get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).value(body -> assertThat(body).contains("http_server_requests"));
    }

    private static List<BatchCommand> readCommands(String batchId, int expected) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<BatchCommand> found = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), TOPICS.batchCommands.valueSerde().deserializer())) {
            consumer.subscribe(List.of(TOPICS.batchCommands.name()));
            long deadline = System.currentTimeMillis() + 30_000;
            while (found.size() < expected && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, BatchCommand> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.key().equals(batchId)) {
                        found.add(r.value());
                    }
                }
            }
        }
        found.sort(java.util.Comparator.comparing(BatchCommand::chunkIndex));
        return found;
    }
}
