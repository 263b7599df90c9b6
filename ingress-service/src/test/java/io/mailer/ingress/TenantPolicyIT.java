package io.mailer.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailer.schemas.commands.BatchCommand;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
 * Tenant sending policies (operator admins set them, tenant admins read their own, submissions are
 * held to them) and the cancel answer's handedToSes, with PostgreSQL up and down.
 */
class TenantPolicyIT {

    static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
    };
    static final String OPERATOR = IngressTestStack.ADMIN_KEY;
    static final String VIEW_BATCH = "bat_0000000000000000000000cafe";
    static IngressTestStack stack;
    static WebTestClient client;
    static String adminAcme;
    static String adminGlobex;

    @BeforeAll
    static void startStack() {
        stack = new IngressTestStack("it-policy.", Map.of("MAIL_FROM", "Ops <ops@mailer.example>"));
        client = stack.client;
        adminAcme = createKey("acme", "admin");
        adminGlobex = createKey("globex", "admin");
        stack.sql(
                "INSERT INTO batch (id, tenant_id, status, total, created_at) VALUES ('" + VIEW_BATCH + "', 'acme', 'PROCESSING', 6, now())",
                "INSERT INTO recipient (send_id, batch_id, tenant_id, recipient_index, email, status, status_rank) VALUES"
                        + row(0, "SENT") + "," + row(1, "DELIVERED") + "," + row(2, "BOUNCED") + "," + row(3, "FAILED") + ","
                        + row(4, "QUEUED") + "," + row(5, "SUPPRESSED"),
                // the counters the projector keeps beside those rows (changeset 009): handedToSes = sent + failed
                "INSERT INTO batch_counts (batch_id, suppressed, sent, delivered, bounced, failed) VALUES ('" + VIEW_BATCH
                        + "', 1, 3, 1, 1, 1)");
    }

    private static String row(int i, String status) {
        return " ('" + VIEW_BATCH + "-" + i + "', '" + VIEW_BATCH + "', 'acme', " + i + ", 'r" + i + "@example.com', '" + status + "', 1)";
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    static String createKey(String tenant, String scope) {
        return (String) client.post().uri("/api/v1/api-keys").header("Authorization", "Bearer " + OPERATOR)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("tenantId", tenant, "scopes", List.of(scope)))
                .exchange().expectStatus().isCreated().expectBody(MAP).returnResult().getResponseBody().get("key");
    }

    static WebTestClient.ResponseSpec putPolicy(String key, String tenant, String json) {
        return client.put().uri("/api/v1/admin/tenants/" + tenant + "/policy").header("Authorization", "Bearer " + key)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(json).exchange();
    }

    static WebTestClient.ResponseSpec get(String key, String uri) {
        return client.get().uri(uri).header("Authorization", "Bearer " + key).exchange();
    }

    static WebTestClient.ResponseSpec submit(String key, String from, String replyTo) {
        String json = "{" + (from == null ? "" : "\"from\":\"" + from + "\",") + (replyTo == null ? "" : "\"replyTo\":\"" + replyTo + "\",")
                + "\"subject\":\"s\",\"text\":\"t\",\"recipients\":[{\"email\":\"a@example.com\"}]}";
        return client.post().uri("/api/v1/batches").header("Authorization", "Bearer " + key)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(json).exchange();
    }

    static WebTestClient.ResponseSpec cancel(String key, String batchId) {
        return client.method(HttpMethod.POST).uri("/api/v1/batches/" + batchId + "/cancel").header("Authorization", "Bearer " + key).exchange();
    }

    @Test
    void shouldLetOperatorsSetAndListPoliciesAndTenantAdminsReadOnlyTheirOwn() {
        putPolicy(adminAcme, "acme", "{\"allowedSenders\":[\"example.com\"]}").expectStatus().isForbidden()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
        putPolicy(OPERATOR, "acme", "{\"allowedSenders\":[\"example.com\",\"not a domain\"]}").expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("allowedSenders[1]");

        putPolicy(OPERATOR, "acme", "{\"allowedSenders\":[\"Example.com\",\"news@other.org\"],\"configurationSet\":\"cs-acme\"}")
                .expectStatus().isOk().expectBody()
                .jsonPath("$.id").isEqualTo("acme")
                .jsonPath("$.allowedSenders[0]").isEqualTo("example.com")
                .jsonPath("$.allowedSenders[1]").isEqualTo("news@other.org")
                .jsonPath("$.configurationSet").isEqualTo("cs-acme");

        get(adminAcme, "/api/v1/admin/tenants/acme").expectStatus().isOk().expectBody()
                .jsonPath("$.allowedSenders.length()").isEqualTo(2).jsonPath("$.configurationSet").isEqualTo("cs-acme");
        get(adminAcme, "/api/v1/admin/tenants/globex").expectStatus().isNotFound();
        get(adminGlobex, "/api/v1/admin/tenants/globex").expectStatus().isOk().expectBody()
                .jsonPath("$.id").isEqualTo("globex").jsonPath("$.allowedSenders").isEmpty();
        get(OPERATOR, "/api/v1/admin/tenants/nobody").expectStatus().isNotFound();
        get(adminAcme, "/api/v1/admin/tenants").expectStatus().isForbidden();

        List<Object> ids = new ArrayList<>();
        String cursor = null;
        do {
            Map<String, Object> page = get(OPERATOR, "/api/v1/admin/tenants?limit=1" + (cursor == null ? "" : "&cursor=" + cursor))
                    .expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody();
            List<?> items = (List<?>) page.get("items");
            assertThat(items).hasSizeLessThanOrEqualTo(1);
            items.forEach(item -> ids.add(((Map<?, ?>) item).get("id")));
            cursor = (String) page.get("nextCursor");
        } while (cursor != null);
        assertThat(ids).containsSubsequence("acme", "default", "globex").doesNotHaveDuplicates();
    }

    @Test
    void shouldHoldSubmissionsToThePolicyAndCarryItsConfigurationSet() {
        String sender = createKey("policed", "send");
        String free = createKey("free", "send");
        putPolicy(OPERATOR, "policed", "{\"allowedSenders\":[\"example.com\",\"news@other.org\"],\"configurationSet\":\"cs-policed\"}")
                .expectStatus().isOk();

        Map<String, Object> ok = submit(sender, "News <news@Example.com>", "news@other.org").expectStatus().isAccepted()
                .expectBody(MAP).returnResult().getResponseBody();
        submit(sender, "x@evil.io", null).expectStatus().isForbidden().expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("from");
        submit(sender, "news@example.com", "help@other.org").expectStatus().isForbidden()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("replyTo");
        submit(sender, null, null).expectStatus().isForbidden()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("from")
                .jsonPath("$.errors[0].message").value(m -> assertThat((String) m).contains("MAIL_FROM"));
        client.post().uri("/api/v1/batches").header("Authorization", "Bearer " + sender)
                .contentType(MediaType.parseMediaType("application/x-ndjson"))
                .bodyValue("{\"from\":\"x@evil.io\",\"subject\":\"s\",\"text\":\"t\"}\n{\"email\":\"a@example.com\"}\n")
                .exchange().expectStatus().isForbidden().expectBody().jsonPath("$.errors[0].field").isEqualTo("from");
        submit(free, "anyone@anywhere.io", null).expectStatus().isAccepted(); // no policy row: any identity

        List<BatchCommand.SubmitChunk> chunks = stack.read(stack.topics.batchCommands, r -> r.key().equals(ok.get("id")), 1)
                .stream().map(r -> r.value()).map(BatchCommand.SubmitChunk.class::cast).toList();
        assertThat(chunks).singleElement().satisfies(c -> assertThat(c.message().configurationSet()).isEqualTo("cs-policed"));
    }

    @Test
    void shouldAnswerCancelWithTheRecipientsAlreadyHandedToSes() {
        Map<String, Object> answer = cancel(adminAcme, VIEW_BATCH).expectStatus().isAccepted().expectBody(MAP).returnResult().getResponseBody();

        assertThat(answer).containsEntry("id", VIEW_BATCH).containsEntry("status", "CANCELLING").containsEntry("handedToSes", 4);
        assertThat(Instant.parse((String) answer.get("handedToSesAsOf"))).isBetween(Instant.now().minusSeconds(60), Instant.now());
        cancel(adminGlobex, VIEW_BATCH).expectStatus().isNotFound();
    }

    @Test
    void shouldKeepCancellingAndApplyingTheLastKnownPolicyWhilePostgresIsDown() {
        String ghost = createKey("ghost", "admin");
        get(ghost, "/api/v1/batches/bat_00000000000000000000000000").expectStatus().isNotFound(); // key known, policy never loaded
        putPolicy(OPERATOR, "acme", "{\"allowedSenders\":[\"example.com\",\"news@other.org\"],\"configurationSet\":\"cs-acme\"}")
                .expectStatus().isOk();
        String accepted = (String) submit(adminAcme, "news@example.com", null).expectStatus().isAccepted()
                .expectBody(MAP).returnResult().getResponseBody().get("id");
        String otherInView = "bat_0000000000000000000000beef";
        stack.sql("INSERT INTO batch (id, tenant_id, status, total, created_at) VALUES ('" + otherInView + "', 'acme', 'PROCESSING', 1, now())");
        stack.postgres.stop();
        try {
            // cancel needs Kafka only for a batch whose owner this replica knows
            Map<String, Object> answer = cancel(adminAcme, accepted).expectStatus().isAccepted().expectBody(MAP).returnResult().getResponseBody();
            assertThat(answer).containsEntry("status", "CANCELLING").containsEntry("handedToSes", null);
            // an owner that cannot be checked is not guessed
            cancel(adminAcme, otherInView).expectStatus().isEqualTo(503).expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
            // the last known policy keeps applying, after its cache time too
            await().pollDelay(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    submit(adminAcme, "x@evil.io", null).expectStatus().isForbidden());
            submit(adminAcme, "news@example.com", null).expectStatus().isAccepted();
            // a tenant whose policy this replica never loaded: 503, not "any sender"
            submit(ghost, "x@evil.io", null).expectStatus().isEqualTo(503).expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
            // the operator's bootstrap key keeps working
            submit(OPERATOR, "ops@mailer.example", null).expectStatus().isAccepted();
        } finally {
            stack.postgres.restart();
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> client.get().uri("/api/v1/ready").exchange().expectStatus().isOk());
    }
}
