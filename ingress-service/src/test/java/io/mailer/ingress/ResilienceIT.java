package io.mailer.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** PostgreSQL stopped mid-test, per-key rate limits and the CORS allowlist. */
class ResilienceIT {

    static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
    };
    static final String BATCH = "{\"from\":\"news@example.com\",\"subject\":\"s\",\"text\":\"t\",\"recipients\":[{\"email\":\"a@example.com\"}]}";
    static IngressTestStack stack;
    static WebTestClient client;

    @BeforeAll
    static void startStack() {
        stack = new IngressTestStack("it-resilience.", Map.of("INGRESS_RATE_LIMIT_PER_SECOND", "5",
                "INGRESS_RECIPIENTS_PER_DAY", "3", "CORS_ALLOWED_ORIGINS", "https://app.example.com, https://admin.example.com"));
        client = stack.client;
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    private static String createKey(List<String> scopes) {
        return (String) client.post().uri("/api/v1/api-keys").header("Authorization", "Bearer " + IngressTestStack.ADMIN_KEY)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("tenantId", "acme", "scopes", scopes))
                .exchange().expectStatus().isCreated().expectBody(MAP).returnResult().getResponseBody().get("key");
    }

    private static WebTestClient.ResponseSpec submit(String key, String idempotencyKey) {
        var spec = client.post().uri("/api/v1/batches").header("Authorization", "Bearer " + key).contentType(MediaType.APPLICATION_JSON);
        if (idempotencyKey != null) {
            spec = spec.header("Idempotency-Key", idempotencyKey);
        }
        return spec.bodyValue(BATCH).exchange();
    }

    @Test
    void shouldKeepAcceptingSubmissionsAndAnswer503ForReadsWhilePostgresIsDown() {
        // Given a key that has been used (so its principal is known) and then PostgreSQL stops
        String key = createKey(List.of("send", "read"));
        submit(key, null).expectStatus().isAccepted();
        stack.postgres.stop();
        try {
            // Then submissions still reach Kafka (202) ...
            Map<String, Object> accepted = submit(key, null).expectStatus().isAccepted().expectBody(MAP).returnResult().getResponseBody();
            assertThat(stack.read(stack.topics.batchCommands, r -> r.key().equals(accepted.get("id")), 1)).hasSize(1);
            // ... an Idempotency-Key cannot be honoured without its store: 503, documented choice
            submit(key, "k-" + UUID.randomUUID()).expectStatus().isEqualTo(503)
                    .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON).expectHeader().exists("Retry-After");
            // ... reads answer 503 problem+json
            client.get().uri("/api/v1/batches/" + accepted.get("id")).header("Authorization", "Bearer " + key).exchange()
                    .expectStatus().isEqualTo(503).expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectBody().jsonPath("$.detail").value(d -> assertThat((String) d).contains("PostgreSQL"));
            // ... readiness stays UP (submitting needs Kafka only: the replica must stay in the Service) ...
            client.get().uri("/api/v1/ready").exchange().expectStatus().isOk()
                    .expectBody().jsonPath("$.components.kafka.status").isEqualTo("UP")
                    .jsonPath("$.components.r2dbc").doesNotExist();
            // ... and health names the dependency that is down
            client.get().uri("/actuator/health").exchange().expectStatus().isEqualTo(503)
                    .expectBody().jsonPath("$.components.r2dbc.status").isEqualTo("DOWN")
                    .jsonPath("$.components.kafka.status").isEqualTo("UP");
        } finally {
            stack.postgres.restart();
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                client.get().uri("/actuator/health").exchange().expectStatus().isOk());
        submit(key, "k-" + UUID.randomUUID()).expectStatus().isAccepted();
    }

    @Test
    void shouldAnswer429WithRetryAfterBeyondTheRequestRate() throws Exception {
        String key = createKey(List.of("read"));
        // 20 requests at once: sent one after another on a loaded machine, the bucket (5/s) would
        // refill between them and the test would prove nothing
        var pool = java.util.concurrent.Executors.newFixedThreadPool(20);
        List<Integer> statuses;
        try {
            var start = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<Integer>> calls = IntStream.range(0, 20).mapToObj(i -> pool.submit(() -> {
                start.await();
                var r = client.get().uri("/api/v1/batches/bat_00000000000000000000000000")
                        .header("Authorization", "Bearer " + key).exchange().returnResult(String.class);
                if (r.getStatus().value() == 429) {
                    assertThat(r.getResponseHeaders().getFirst("Retry-After")).isEqualTo("1");
                    assertThat(r.getResponseHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
                }
                return r.getStatus().value();
            })).toList();
            start.countDown();
            statuses = new java.util.ArrayList<>();
            for (var call : calls) {
                statuses.add(call.get(60, java.util.concurrent.TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(statuses).containsOnly(404, 429).contains(429);
        assertThat(statuses.stream().filter(s -> s == 404).count()).as("the first five fit the bucket")
                .isGreaterThanOrEqualTo(5);
    }

    @Test
    void shouldAnswer429BeyondTheDailyRecipientBudget() {
        String key = createKey(List.of("send"));
        for (int i = 0; i < 3; i++) {
            submit(key, null).expectStatus().isAccepted();
        }
        submit(key, null).expectStatus().isEqualTo(429).expectHeader().exists("Retry-After")
                .expectBody().jsonPath("$.detail").value(d -> assertThat((String) d).contains("3 recipients per day"));
    }

    @Test
    void shouldShareTheDailyRecipientBudgetAcrossReplicasAndRestartsThroughPostgres() {
        var db = stack.app.getBean(org.springframework.r2dbc.core.DatabaseClient.class);
        var clock = java.time.Clock.fixed(java.time.Instant.parse("2026-11-28T12:00:00Z"), java.time.ZoneOffset.UTC);
        String key = "key-" + UUID.randomUUID();
        var replicaA = new io.mailer.ingress.limits.DailyBudgets(10, clock, db);
        var replicaB = new io.mailer.ingress.limits.DailyBudgets(10, clock, db);
        // Given replica A accepted 7 of the key's 10 recipients and synced
        replicaA.reserve(key, 7);
        replicaA.sync().block();
        // When replica B accepts 1 and syncs, it learns A's share
        replicaB.reserve(key, 1);
        replicaB.sync().block();
        // Then B refuses what would exceed the shared budget and accepts what fits
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> replicaB.reserve(key, 3))
                .isInstanceOf(io.mailer.ingress.limits.RateLimits.LimitExceeded.class)
                .hasMessageContaining("8 are used today");
        replicaB.reserve(key, 2);
        // a released reservation (a batch Kafka did not take) is not counted
        replicaA.reserve(key, 1);
        replicaA.release(key, 1);
        replicaA.sync().block();
        replicaB.sync().block();
        assertThat(db.sql("SELECT recipients FROM api_key_usage WHERE key_id = :k AND day = DATE '2026-11-28'")
                .bind("k", key).map(r -> r.get(0, Long.class)).one().block()).isEqualTo(10L);
        // and a restarted replica knows the day's total after its first sync
        var restarted = new io.mailer.ingress.limits.DailyBudgets(10, clock, db);
        restarted.reserve(key, 0);
        restarted.sync().block();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> restarted.reserve(key, 1))
                .isInstanceOf(io.mailer.ingress.limits.RateLimits.LimitExceeded.class)
                .hasMessageContaining("10 are used today");
    }

    @Test
    void shouldSweepIdempotencyKeysWhoseTimeIsOver() {
        String tenant = "sweep-" + UUID.randomUUID().toString().substring(0, 8);
        stack.sql("INSERT INTO idempotency_key (tenant_id, idem_key, state, expires_at) VALUES ('" + tenant
                        + "', 'old', 'DONE', now() - interval '1 minute')",
                "INSERT INTO idempotency_key (tenant_id, idem_key, state, expires_at) VALUES ('" + tenant
                        + "', 'fresh', 'DONE', now() + interval '23 hours')");
        var store = stack.app.getBean(io.mailer.ingress.idempotency.IdempotencyStore.class);
        assertThat(store.sweepExpired().block()).isGreaterThanOrEqualTo(1L);
        var db = stack.app.getBean(org.springframework.r2dbc.core.DatabaseClient.class);
        assertThat(db.sql("SELECT idem_key FROM idempotency_key WHERE tenant_id = :t").bind("t", tenant)
                .map(r -> r.get(0, String.class)).all().collectList().block()).containsExactly("fresh");
    }

    @Test
    void shouldAllowOnlyConfiguredOrigins() {
        client.options().uri("/api/v1/batches").header("Origin", "https://app.example.com")
                .header("Access-Control-Request-Method", "POST").exchange()
                .expectStatus().isOk().expectHeader().valueEquals("Access-Control-Allow-Origin", "https://app.example.com");
        client.options().uri("/api/v1/batches").header("Origin", "https://evil.example.com")
                .header("Access-Control-Request-Method", "POST").exchange()
                .expectStatus().isForbidden().expectHeader().doesNotExist("Access-Control-Allow-Origin");
    }

    @Test
    void shouldAnswer405And413AsProblemJson() {
        client.method(HttpMethod.DELETE).uri("/api/v1/batches").header("Authorization", "Bearer " + IngressTestStack.ADMIN_KEY)
                .exchange().expectStatus().isEqualTo(405).expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
        String huge = "{\"subject\":\"" + "x".repeat(11 * 1024 * 1024) + "\"}";
        client.post().uri("/api/v1/batches").header("Authorization", "Bearer " + IngressTestStack.ADMIN_KEY)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(huge).exchange()
                .expectStatus().isEqualTo(413).expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
    }
}
