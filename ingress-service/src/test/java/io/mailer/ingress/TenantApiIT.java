package io.mailer.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailer.schemas.commands.BatchCancellation;
import io.mailer.schemas.commands.BatchCommand;
import io.mailer.schemas.events.Suppression;
import io.mailer.schemas.unsubscribe.UnsubscribeToken;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * API keys, scopes and isolation between two tenants, plus the endpoints around a batch
 * (recipients, events, cancel), suppressions and one-click unsubscribe. The view rows the
 * feedback-service projector would write are inserted directly.
 */
class TenantApiIT {

    static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
    };
    static final String BATCH_A = "bat_aaaaaaaaaaaaaaaaaaaaaaaaaa";
    static final String BATCH_B = "bat_bbbbbbbbbbbbbbbbbbbbbbbbbb";
    static IngressTestStack stack;
    static WebTestClient client;
    static String adminA;
    static String readerA;
    static String adminB;

    @BeforeAll
    static void startStack() {
        stack = new IngressTestStack("it-tenant.", Map.of());
        client = stack.client;
        adminA = createKey("acme", List.of("admin"));
        readerA = createKey("acme", List.of("read"));
        adminB = createKey("globex", List.of("admin"));
        stack.sql(
                "INSERT INTO batch (id, tenant_id, status, total, created_at) VALUES ('" + BATCH_A + "', 'acme', 'PROCESSING', 3, now())",
                "INSERT INTO batch (id, tenant_id, status, total, created_at) VALUES ('" + BATCH_B + "', 'globex', 'PROCESSING', 1, now())",
                "INSERT INTO recipient (send_id, batch_id, tenant_id, recipient_index, email, status, status_rank, metadata) VALUES"
                        + " ('" + BATCH_A + "-0', '" + BATCH_A + "', 'acme', 0, 'a0@example.com', 'DELIVERED', 5, '{\"crm\":\"1\"}'),"
                        + " ('" + BATCH_A + "-1', '" + BATCH_A + "', 'acme', 1, 'a1@example.com', 'BOUNCED', 6, null),"
                        + " ('" + BATCH_A + "-2', '" + BATCH_A + "', 'acme', 2, 'a2@example.com', 'DELIVERED', 5, null),"
                        + " ('" + BATCH_B + "-0', '" + BATCH_B + "', 'globex', 0, 'b0@example.com', 'SENT', 3, null)",
                "INSERT INTO event (id, batch_id, send_id, tenant_id, type, email, occurred_at) VALUES"
                        + " ('e1', '" + BATCH_A + "', '" + BATCH_A + "-0', 'acme', 'SENT', 'a0@example.com', now() - interval '3 minutes'),"
                        + " ('e2', '" + BATCH_A + "', '" + BATCH_A + "-0', 'acme', 'DELIVERED', 'a0@example.com', now() - interval '2 minutes'),"
                        + " ('e3', '" + BATCH_A + "', '" + BATCH_A + "-1', 'acme', 'SENT', 'a1@example.com', now() - interval '2 minutes'),"
                        + " ('e4', '" + BATCH_A + "', '" + BATCH_A + "-1', 'acme', 'BOUNCED', 'a1@example.com', now() - interval '1 minutes'),"
                        + " ('e5', '" + BATCH_B + "', '" + BATCH_B + "-0', 'globex', 'SENT', 'b0@example.com', now())",
                // batch A as the projector leaves it (changeset 011): its partition time in batch_partition and
                // on every row, so its reads name batch_at (one partition); batch B has none (every partition)
                "INSERT INTO batch_partition (batch_id, batch_at) SELECT batch_id, min(batch_at) FROM recipient"
                        + " WHERE batch_id = '" + BATCH_A + "' GROUP BY batch_id",
                "UPDATE recipient SET batch_at = (SELECT batch_at FROM batch_partition WHERE batch_id = '" + BATCH_A + "')"
                        + " WHERE batch_id = '" + BATCH_A + "'",
                "UPDATE event SET batch_at = (SELECT batch_at FROM batch_partition WHERE batch_id = '" + BATCH_A + "')"
                        + " WHERE batch_id = '" + BATCH_A + "'",
                "INSERT INTO suppression (tenant_id, email, reason, created_at) VALUES ('acme', 'gone@example.com', 'BOUNCE', now()),"
                        + " ('acme', 'hate@example.com', 'COMPLAINT', now()), ('globex', 'secret@example.com', 'MANUAL', now())");
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    static String createKey(String tenant, List<String> scopes) {
        Map<String, Object> created = client.post().uri("/api/v1/api-keys").header("Authorization", "Bearer " + IngressTestStack.ADMIN_KEY)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", tenant + "-" + scopes, "tenantId", tenant, "scopes", scopes))
                .exchange().expectStatus().isCreated().expectBody(MAP).returnResult().getResponseBody();
        assertThat((String) created.get("key")).matches("mk_live_[A-Za-z0-9_-]{43}");
        assertThat((String) created.get("key")).startsWith((String) created.get("prefix"));
        return (String) created.get("key");
    }

    static List<Object> values(Map<String, Object> body, String list, String field) {
        return ((List<?>) body.get(list)).stream().map(item -> ((Map<?, ?>) item).get(field)).map(v -> (Object) v).toList();
    }

    static WebTestClient.ResponseSpec call(HttpMethod method, String uri, String key) {
        return client.method(method).uri(uri).header("Authorization", "Bearer " + key).exchange();
    }

    @Test
    void shouldListKeysOfTheOwnTenantWithoutSecretsAndRecordLastUse() {
        call(HttpMethod.GET, "/api/v1/batches/" + BATCH_A, readerA).expectStatus().isOk();

        // last use is written off the request's path (ApiKeyResolver.touch), so it shows shortly after
        await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() -> {
            List<Map<String, Object>> keys = call(HttpMethod.GET, "/api/v1/api-keys", adminA).expectStatus().isOk()
                    .expectBody(new ParameterizedTypeReference<List<Map<String, Object>>>() {
                    }).returnResult().getResponseBody();

            assertThat(keys).extracting(k -> k.get("tenantId")).containsOnly("acme");
            assertThat(keys).extracting(k -> k.get("scopes")).containsExactlyInAnyOrder(List.of("admin"), List.of("read"));
            assertThat(keys).allSatisfy(k -> assertThat(k).doesNotContainKey("key").doesNotContainKey("hash"));
            assertThat(keys).filteredOn(k -> k.get("scopes").equals(List.of("read"))).singleElement()
                    .satisfies(k -> assertThat(k.get("lastUsedAt")).isNotNull());
        });
    }

    @Test
    void shouldRevokeAKeySoThatItStopsWorkingWithinSeconds() {
        String key = createKey("acme", List.of("read"));
        call(HttpMethod.GET, "/api/v1/batches/" + BATCH_A, key).expectStatus().isOk();
        String id = call(HttpMethod.GET, "/api/v1/api-keys", adminA).expectBody(new ParameterizedTypeReference<List<Map<String, Object>>>() {
                }).returnResult().getResponseBody().stream()
                .filter(k -> key.startsWith((String) k.get("prefix")) && k.get("revokedAt") == null).reduce((a, b) -> b).orElseThrow()
                .get("id").toString();

        call(HttpMethod.DELETE, "/api/v1/api-keys/" + id, adminB).expectStatus().isNotFound(); // another tenant's admin
        call(HttpMethod.DELETE, "/api/v1/api-keys/" + id, adminA).expectStatus().isNoContent();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                call(HttpMethod.GET, "/api/v1/batches/" + BATCH_A, key).expectStatus().isUnauthorized());
    }

    @Test
    void shouldEnforceScopes() {
        call(HttpMethod.GET, "/api/v1/api-keys", readerA).expectStatus().isForbidden()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
        call(HttpMethod.GET, "/api/v1/suppressions", readerA).expectStatus().isForbidden();
        call(HttpMethod.POST, "/api/v1/batches/" + BATCH_A + "/cancel", readerA).expectStatus().isForbidden();
        client.post().uri("/api/v1/batches").header("Authorization", "Bearer " + readerA).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{}").exchange().expectStatus().isForbidden();
        client.post().uri("/api/v1/api-keys").header("Authorization", "Bearer " + adminA).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("tenantId", "globex", "scopes", List.of("admin"))).exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("tenantId");
    }

    @Test
    void shouldAnswer404ForEveryObjectOfAnotherTenant() {
        for (String path : List.of("", "/recipients", "/events")) {
            call(HttpMethod.GET, "/api/v1/batches/" + BATCH_B + path, adminA).expectStatus().isNotFound()
                    .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
            call(HttpMethod.GET, "/api/v1/batches/" + BATCH_B + path, adminB).expectStatus().isOk();
        }
        call(HttpMethod.POST, "/api/v1/batches/" + BATCH_B + "/cancel", adminA).expectStatus().isNotFound();
        call(HttpMethod.GET, "/api/v1/suppressions/secret@example.com", adminA).expectStatus().isNotFound();
        call(HttpMethod.GET, "/api/v1/suppressions/secret@example.com", adminB).expectStatus().isOk();
        assertThat(values(call(HttpMethod.GET, "/api/v1/suppressions", adminA).expectBody(MAP).returnResult().getResponseBody(),
                "items", "email")).containsExactly("gone@example.com", "hate@example.com");
    }

    @Test
    void shouldPageRecipientsWithACursorAndFilterByStatus() {
        Map<String, Object> first = call(HttpMethod.GET, "/api/v1/batches/" + BATCH_A + "/recipients?limit=2", readerA)
                .expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody();
        Map<String, Object> second = call(HttpMethod.GET, "/api/v1/batches/" + BATCH_A + "/recipients?limit=2&cursor="
                + first.get("nextCursor"), readerA).expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody();
        Map<String, Object> delivered = call(HttpMethod.GET, "/api/v1/batches/" + BATCH_A + "/recipients?status=delivered", readerA)
                .expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody();

        assertThat(values(first, "items", "email")).containsExactly("a0@example.com", "a1@example.com");
        assertThat(values(first, "items", "metadata").get(0)).isEqualTo(Map.of("crm", "1"));
        assertThat(values(second, "items", "email")).containsExactly("a2@example.com");
        assertThat(second.get("nextCursor")).isNull();
        assertThat(values(delivered, "items", "index")).containsExactly(0, 2);
        call(HttpMethod.GET, "/api/v1/batches/" + BATCH_A + "/recipients?status=LOST", readerA).expectStatus().isBadRequest();
        call(HttpMethod.GET, "/api/v1/batches/" + BATCH_A + "/recipients?cursor=@@", readerA).expectStatus().isBadRequest();
    }

    @Test
    void shouldPageEventsInTimeOrderAndFilterByType() {
        Map<String, Object> first = call(HttpMethod.GET, "/api/v1/batches/" + BATCH_A + "/events?limit=3", readerA)
                .expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody();
        Map<String, Object> rest = call(HttpMethod.GET, "/api/v1/batches/" + BATCH_A + "/events?limit=3&cursor=" + first.get("nextCursor"), readerA)
                .expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody();
        Map<String, Object> bounces = call(HttpMethod.GET, "/api/v1/batches/" + BATCH_A + "/events?type=BOUNCED", readerA)
                .expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody();

        assertThat(values(first, "items", "id")).containsExactly("e1", "e2", "e3");
        assertThat(values(rest, "items", "id")).containsExactly("e4");
        assertThat(values(bounces, "items", "id")).containsExactly("e4");
        call(HttpMethod.GET, "/api/v1/batches/" + BATCH_A + "/events?type=EXPLODED", readerA).expectStatus().isBadRequest();
    }

    @Test
    void shouldCancelWithACommandAndACompactedCancellationInOneTransaction() {
        call(HttpMethod.POST, "/api/v1/batches/" + BATCH_A + "/cancel", adminA).expectStatus().isAccepted()
                .expectBody().jsonPath("$.id").isEqualTo(BATCH_A);

        var commands = stack.read(stack.topics.batchCommands, r -> r.key().equals(BATCH_A), 1);
        var cancellations = stack.read(stack.topics.batchCancellations, r -> r.key().equals(BATCH_A), 1);
        assertThat(commands).singleElement().satisfies(r -> {
            assertThat(r.value()).isInstanceOf(BatchCommand.Cancel.class);
            assertThat(r.value().tenantId()).isEqualTo("acme");
        });
        assertThat(cancellations).singleElement().satisfies(r -> {
            BatchCancellation c = r.value();
            assertThat(c.batchId()).isEqualTo(BATCH_A);
            assertThat(c.tenantId()).isEqualTo("acme");
            assertThat(c.cancelledAt()).isEqualTo(commands.get(0).value().createdAt());
        });
    }

    @Test
    void shouldWriteSuppressionsAndTombstonesToTheTopic() {
        call(HttpMethod.GET, "/api/v1/suppressions/Gone@Example.com", adminA).expectStatus().isOk()
                .expectBody().jsonPath("$.reason").isEqualTo("BOUNCE");
        client.put().uri("/api/v1/suppressions/New@Example.com").header("Authorization", "Bearer " + adminA)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("reason", "manual"))
                .exchange().expectStatus().isAccepted().expectBody().jsonPath("$.email").isEqualTo("new@example.com");
        call(HttpMethod.DELETE, "/api/v1/suppressions/gone@example.com", adminA).expectStatus().isAccepted();
        client.put().uri("/api/v1/suppressions/nope").header("Authorization", "Bearer " + adminA).exchange()
                .expectStatus().isBadRequest();

        var records = stack.read(stack.topics.suppressions,
                r -> r.key().equals("acme|new@example.com") || r.key().equals("acme|gone@example.com"), 2);
        Map<String, Suppression> byKey = new java.util.HashMap<>();
        records.forEach(r -> byKey.put(r.key(), r.value()));
        assertThat(records).hasSize(2);
        assertThat(byKey.get("acme|new@example.com").reason()).isEqualTo(Suppression.Reason.MANUAL);
        assertThat(byKey).containsEntry("acme|gone@example.com", null); // the tombstone
    }

    @Test
    void shouldImportCsvAndNdjsonInOneTransactionAndExport() {
        client.post().uri("/api/v1/suppressions/import").header("Authorization", "Bearer " + adminB)
                .contentType(MediaType.parseMediaType("text/csv")).bodyValue("email,reason\nx1@example.com,complaint\nx2@example.com\n")
                .exchange().expectStatus().isAccepted().expectBody().jsonPath("$.imported").isEqualTo(2);
        client.post().uri("/api/v1/suppressions/import").header("Authorization", "Bearer " + adminB)
                .contentType(MediaType.parseMediaType("application/x-ndjson"))
                .bodyValue("{\"email\":\"x3@example.com\"}\n{\"email\":\"broken\"}\n")
                .exchange().expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].field").isEqualTo("line 2");

        var records = stack.read(stack.topics.suppressions, r -> r.key().startsWith("globex|x"), 2);
        assertThat(records).extracting(r -> r.key() + "=" + r.value().reason())
                .containsExactlyInAnyOrder("globex|x1@example.com=COMPLAINT", "globex|x2@example.com=MANUAL");

        String csv = client.get().uri("/api/v1/suppressions/export").header("Authorization", "Bearer " + adminB)
                .accept(MediaType.parseMediaType("text/csv")).exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(csv).startsWith("email,reason,createdAt\nsecret@example.com,MANUAL,").doesNotContain("gone@example.com");
    }

    @Test
    void shouldUnsubscribeWithAGenuineTokenOnlyAndWithoutAuth() {
        UnsubscribeToken tokens = new UnsubscribeToken(IngressTestStack.UNSUBSCRIBE_SECRET);
        String token = tokens.issue("acme", "leaver@example.com");
        String forged = new UnsubscribeToken("guess").issue("acme", "leaver@example.com");

        client.get().uri("/unsubscribe/" + token).exchange().expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_HTML)
                .expectBody(String.class).value(html -> assertThat(html).contains("leaver@example.com").contains("method=\"post\""));
        client.post().uri("/unsubscribe/" + forged).exchange().expectStatus().isNotFound()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
        client.get().uri("/unsubscribe/" + token.substring(1)).exchange().expectStatus().isNotFound();
        client.post().uri("/unsubscribe/" + token).contentType(MediaType.APPLICATION_FORM_URLENCODED)
                .bodyValue("List-Unsubscribe=One-Click").exchange().expectStatus().isOk();

        var records = stack.read(stack.topics.suppressions, r -> r.key().equals("acme|leaver@example.com"), 1);
        assertThat(records).singleElement().satisfies(r -> assertThat(r.value().reason()).isEqualTo(Suppression.Reason.UNSUBSCRIBE));
    }

    @Test
    void shouldReportPerTenantMetricsAndRatesToTheOperator() {
        Map<String, Object> all = call(HttpMethod.GET, "/api/v1/admin/metrics?hours=1", IngressTestStack.ADMIN_KEY)
                .expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody();
        Map<String, Object> own = call(HttpMethod.GET, "/api/v1/admin/metrics?hours=1", adminB)
                .expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody();

        assertThat(values(all, "tenants", "tenantId")).containsExactly("acme", "globex");
        assertThat(values(all, "tenants", "counts").get(0)).isEqualTo(Map.of(
                "sent", 2, "delivered", 1, "bounced", 1, "complained", 0, "failed", 0, "suppressed", 0,
                "bounceRate", 0.5, "complaintRate", 0.0));
        assertThat(values(own, "tenants", "tenantId")).containsExactly("globex");
        assertThat((List<?>) all.get("series")).isNotEmpty();
        call(HttpMethod.GET, "/api/v1/admin/metrics?hours=0", adminB).expectStatus().isBadRequest();
    }

    @Test
    void shouldReportPipelineDepths() {
        Map<String, Object> pipeline = call(HttpMethod.GET, "/api/v1/admin/pipeline", IngressTestStack.ADMIN_KEY)
                .expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody();

        assertThat(pipeline).containsKeys("consumerGroups", "retryTopics", "deadLetterTopics");
        assertThat((Map<String, Object>) pipeline.get("deadLetterTopics")).containsKeys("it-tenant.sends-dlt", "it-tenant.batch-commands-dlt");
        call(HttpMethod.GET, "/api/v1/admin/pipeline", readerA).expectStatus().isForbidden();
    }
}
