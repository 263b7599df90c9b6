package io.mailer.ingress.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.ingress.IngressTestStack;
import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.events.Ids;
import io.mailer.schemas.events.SendRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Dead letters belong to the tenant of their send: scoping, operator ?tenant=, idempotent replay, suppressions. */
class DeadLetterTenancyIT {

    static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
    };
    static IngressTestStack stack;
    static String adminAcme;
    static String adminGlobex;

    @BeforeAll
    static void start() throws Exception {
        stack = new IngressTestStack("it-dlt-tenancy.", Map.of());
        adminAcme = createKey("acme");
        adminGlobex = createKey("globex");
        // acme: bat_acme (three dead letters) and bat_twice; globex: bat_globex
        deadLetter("bat_acme", "acme", 0, "ann@example.com");
        deadLetter("bat_acme", "acme", 1, "Complainer@Example.com");
        deadLetter("bat_acme", "acme", 2, "everyone-hates@example.com");
        deadLetter("bat_twice", "acme", 0, "twice@example.com");
        deadLetter("bat_globex", "globex", 0, "gus@example.com");
        // what the projector would have written: suppressions added after the sends were dead-lettered
        stack.sql("INSERT INTO suppression (tenant_id, email, reason, created_at) VALUES ('acme', 'complainer@example.com', 'COMPLAINT', now())",
                "INSERT INTO suppression (tenant_id, email, reason, created_at) VALUES ('*', 'everyone-hates@example.com', 'MANUAL', now())",
                // another tenant's suppression of ann does not stop acme's replay
                "INSERT INTO suppression (tenant_id, email, reason, created_at) VALUES ('globex', 'ann@example.com', 'BOUNCE', now())",
                // a batch of acme in the view that has no dead letters
                "INSERT INTO batch (id, tenant_id, status, created_at) VALUES ('bat_clean', 'acme', 'COMPLETED', now())");
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    private static String createKey(String tenant) {
        return (String) stack.client.post().uri("/api/v1/api-keys").header("Authorization", "Bearer " + IngressTestStack.ADMIN_KEY)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("tenantId", tenant, "scopes", List.of("admin")))
                .exchange().expectStatus().isCreated().expectBody(MAP).returnResult().getResponseBody().get("key");
    }

    private static void deadLetter(String batch, String tenant, int index, String email) throws Exception {
        MessageContent message = new MessageContent("news@example.com", null, "s", "<p>h</p>", null, Map.of(), Map.of(), null, false);
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                stack.kafka.bootstrapServers()), new StringSerializer(), stack.topics.sendsDlt.valueSerde().serializer())) {
            SendRequest send = new SendRequest(Ids.sendId(batch, index), batch, tenant, index, email, Map.of(), Map.of(), message,
                    Instant.parse("2026-11-27T10:00:00Z"));
            RecordHeaders headers = new RecordHeaders();
            headers.add(DeadLetters.REASON_HEADER, "ses:retries-exhausted:InternalFailure".getBytes(StandardCharsets.UTF_8));
            producer.send(new ProducerRecord<>(stack.topics.sendsDlt.name(), null, send.sendId(), send, headers)).get();
        }
    }

    private static WebTestClient.ResponseSpec list(String key, String query) {
        return stack.client.get().uri("/api/v1/admin/dead-letters?" + query).header("Authorization", "Bearer " + key).exchange();
    }

    private static WebTestClient.ResponseSpec replay(String key, String query, String body) {
        return stack.client.post().uri("/api/v1/admin/dead-letters/replay" + query).header("Authorization", "Bearer " + key)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> letters(WebTestClient.ResponseSpec spec) {
        return (List<Map<String, Object>>) spec.expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody().get("deadLetters");
    }

    @Test
    void anotherTenantsAdminCanNeitherSeeNorReplayTheDeadLetters() {
        // globex's admin asking for acme's batch: 404 problem+json, like a batch that does not exist
        list(adminGlobex, "batchId=bat_acme").expectStatus().isNotFound()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
        replay(adminGlobex, "", "{\"batchId\":\"bat_acme\"}").expectStatus().isNotFound()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
        replay(adminGlobex, "", "{\"batchId\":\"bat_acme\",\"sendIds\":[\"bat_acme-0\"]}").expectStatus().isNotFound();
        // and may not widen its scope
        list(adminGlobex, "batchId=bat_acme&tenant=acme").expectStatus().isForbidden()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
        list(adminGlobex, "batchId=bat_acme&tenant=*").expectStatus().isForbidden();
        replay(adminGlobex, "?tenant=*", "{\"batchId\":\"bat_acme\"}").expectStatus().isForbidden();
        // nothing of acme's went back to sends on globex's behalf
        assertThat(stack.read(stack.topics.sends, r -> r.key().startsWith("bat_acme-"), 0)).isEmpty();

        // its own tenant's batch it sees
        assertThat(letters(list(adminGlobex, "batchId=bat_globex"))).extracting(l -> l.get("sendId")).containsExactly("bat_globex-0");
        // acme's admin sees acme's, with the tenant on each
        assertThat(letters(list(adminAcme, "batchId=bat_acme"))).extracting(l -> l.get("tenantId")).containsOnly("acme").hasSize(3);
        // a visible batch without dead letters: empty; an unknown batch: 404
        assertThat(letters(list(adminAcme, "batchId=bat_clean"))).isEmpty();
        list(adminAcme, "batchId=bat_nope").expectStatus().isNotFound();
    }

    @Test
    void operatorAdminsSeeOtherTenantsOnlyWhenTheyAskForThem() {
        // by default the operator's own tenant (default) only
        list(IngressTestStack.ADMIN_KEY, "batchId=bat_acme").expectStatus().isNotFound();
        assertThat(letters(list(IngressTestStack.ADMIN_KEY, "batchId=bat_acme&tenant=acme"))).hasSize(3);
        assertThat(letters(list(IngressTestStack.ADMIN_KEY, "batchId=bat_acme&tenant=*"))).hasSize(3);
        list(IngressTestStack.ADMIN_KEY, "batchId=bat_acme&tenant=globex").expectStatus().isNotFound();
    }

    @Test
    void replayingTwicePublishesOnceAndSkipsAddressesSuppressedSince() {
        // When acme's admin replays bat_acme twice
        Map<String, Object> first = replay(adminAcme, "", "{\"batchId\":\"bat_acme\"}").expectStatus().isOk()
                .expectBody(MAP).returnResult().getResponseBody();
        Map<String, Object> second = replay(adminAcme, "", "{\"batchId\":\"bat_acme\"}").expectStatus().isOk()
                .expectBody(MAP).returnResult().getResponseBody();

        // Then the first replays ann only: the complainer (tenant list) and the operator-wide address are skipped, with why
        assertThat(first).containsEntry("replayed", 1).containsEntry("replayedSendIds", List.of("bat_acme-0"));
        assertThat(skipped(first)).containsEntry("bat_acme-1", "suppressed").containsEntry("bat_acme-2", "suppressed").hasSize(2);
        // the second replays nothing: ann was replayed already
        assertThat(second).containsEntry("replayed", 0);
        assertThat(skipped(second)).containsEntry("bat_acme-0", "already-replayed").containsEntry("bat_acme-1", "suppressed");
        // and exactly one record went back to sends
        var sent = stack.read(stack.topics.sends, r -> r.key().startsWith("bat_acme-"), 1);
        assertThat(sent).singleElement().satisfies(r -> assertThat(r.key()).isEqualTo("bat_acme-0"));
    }

    @Test
    void concurrentReplaysOfTheSameDeadLetterPublishItOnce() throws Exception {
        var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            var calls = java.util.stream.IntStream.range(0, 4).mapToObj(i -> pool.submit(() -> replay(IngressTestStack.ADMIN_KEY,
                    "?tenant=acme", "{\"batchId\":\"bat_twice\"}").expectStatus().isOk().expectBody(MAP).returnResult()
                    .getResponseBody().get("replayed"))).toList();
            int total = 0;
            for (var c : calls) {
                total += (Integer) c.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
            assertThat(total).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(stack.read(stack.topics.sends, r -> r.key().startsWith("bat_twice-"), 1)).hasSize(1);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> skipped(Map<String, Object> answer) {
        Map<String, Object> out = new java.util.HashMap<>();
        ((List<Map<String, Object>>) answer.get("skipped")).forEach(s -> out.put((String) s.get("sendId"), s.get("reason")));
        return out;
    }
}
