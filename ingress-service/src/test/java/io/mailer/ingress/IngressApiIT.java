package io.mailer.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.schemas.commands.BatchCommand;
import io.mailer.schemas.kafka.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The ingress service against a real Kafka broker and a real PostgreSQL: submissions land on
 * batch-commands as one transaction of chunks; bad requests get precise problem+json answers.
 */
class IngressApiIT {

    static final String ADMIN_KEY = IngressTestStack.ADMIN_KEY;
    static IngressTestStack stack;
    static WebTestClient client;
    static Topics TOPICS;

    @BeforeAll
    static void startStack() {
        stack = new IngressTestStack("it-ingress.", Map.of("INGRESS_CHUNK_SIZE", "2", "INGRESS_MAX_NDJSON_RECIPIENTS", "1000"));
        client = stack.client;
        TOPICS = stack.topics;
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
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
        List<BatchCommand.SubmitChunk> chunks = readCommands(batchId, 2);
        assertThat(chunks).extracting(BatchCommand.SubmitChunk::chunkIndex).containsExactly(0, 1);
        assertThat(chunks).extracting(BatchCommand.SubmitChunk::firstRecipientIndex).containsExactly(0, 2);
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
                .expectBody().jsonPath("$.components.kafka.status").isEqualTo("UP");
        // PostgreSQL is not part of readiness (submitting needs Kafka only) but stays visible in health
        client.get().uri("/actuator/health").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.components.r2dbc.status").isEqualTo("UP")
                .jsonPath("$.components.kafka.status").isEqualTo("UP");
    }

    @Test
    void shouldDescribeExactlyTheImplementedEndpointsInOpenApi() {
        // Given every route the application really serves under /api/v1 and /unsubscribe
        var mapping = stack.app.getBean("requestMappingHandlerMapping",
                org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping.class);
        java.util.Set<String> implemented = new java.util.TreeSet<>();
        mapping.getHandlerMethods().keySet().forEach(info -> info.getPatternsCondition().getPatterns().forEach(pattern ->
                info.getMethodsCondition().getMethods().forEach(m -> {
                    String path = pattern.getPatternString();
                    if (path.startsWith("/api/v1/") || path.startsWith("/unsubscribe/")) {
                        implemented.add(m.name() + " " + path);
                    }
                })));

        // When
        Map<String, Object> spec = client.get().uri("/v3/api-docs").exchange().expectStatus().isOk()
                .expectBody(new org.springframework.core.ParameterizedTypeReference<Map<String, Object>>() {
                }).returnResult().getResponseBody();

        // Then the spec lists exactly those, and nothing else
        java.util.Set<String> documented = new java.util.TreeSet<>();
        ((Map<String, Map<String, Object>>) spec.get("paths")).forEach((path, ops) -> ops.keySet().stream()
                .filter(op -> List.of("get", "put", "post", "delete", "patch").contains(op))
                .forEach(op -> documented.add(op.toUpperCase() + " " + path)));
        assertThat(documented).isEqualTo(implemented);
        assertThat(documented).contains("POST /api/v1/batches", "GET /api/v1/batches/{id}", "GET /api/v1/batches/{id}/recipients",
                "GET /api/v1/batches/{id}/events", "GET /api/v1/batches/{id}/stream", "GET /api/v1/me",
                "POST /api/v1/batches/{id}/cancel", "GET /api/v1/suppressions",
                "GET /api/v1/suppressions/{email}", "PUT /api/v1/suppressions/{email}", "DELETE /api/v1/suppressions/{email}",
                "POST /api/v1/suppressions/import", "GET /api/v1/suppressions/export", "POST /api/v1/api-keys",
                "GET /api/v1/api-keys", "DELETE /api/v1/api-keys/{id}", "GET /api/v1/admin/metrics", "GET /api/v1/admin/pipeline", "GET /api/v1/admin/ses-account",
                "GET /unsubscribe/{token}", "POST /unsubscribe/{token}");
        client.get().uri("/swagger-ui.html").exchange().expectStatus().is3xxRedirection();
    }

    @Test
    void shouldExposePrometheusMetrics() {
        client.get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).value(body -> assertThat(body).contains("http_server_requests"));
    }

    private static List<BatchCommand.SubmitChunk> readCommands(String batchId, int expected) {
        List<BatchCommand.SubmitChunk> found = new ArrayList<>(stack.read(TOPICS.batchCommands, r -> r.key().equals(batchId), expected)
                .stream().map(r -> r.value()).map(BatchCommand.SubmitChunk.class::cast).toList());
        found.sort(java.util.Comparator.comparingInt(BatchCommand.SubmitChunk::chunkIndex));
        return found;
    }
}
