package io.mailer.ingress.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.ingress.IngressTestStack;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * {@code GET /api/v1/batches/{id}/stream}: the batch view as Server-Sent Events while the view
 * changes, ending once the batch is final and its outcomes are in; the same auth, scope and tenant rules as {@code GET /batches/{id}}.
 * The view rows are written here as the projector would (it does not run in the ingress tests).
 */
class BatchStreamIT {

    private static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
    };
    private static final ParameterizedTypeReference<ServerSentEvent<Map<String, Object>>> EVENT = new ParameterizedTypeReference<>() {
    };
    private static IngressTestStack stack;
    private static String acme;

    @BeforeAll
    static void start() {
        stack = new IngressTestStack("it-stream.", Map.of());
        acme = key("acme", "read");
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void shouldStreamTheViewAsItChangesAndEndOnceTheFinalBatchHasItsOutcomes() {
        String batch = batch("live", "acme", "PROCESSING", 3);
        Flux<ServerSentEvent<Map<String, Object>>> events = stream(batch, acme);

        StepVerifier.create(events.filter(e -> e.data() != null).map(e -> {
                    assertThat(e.event()).isEqualTo("batch");
                    return e.data();
                }))
                .assertNext(view -> {
                    assertThat(view).containsEntry("id", batch).containsEntry("status", "PROCESSING");
                    assertThat(counts(view)).containsEntry("queued", 3).containsEntry("sent", 0);
                    // the projector moves on: one recipient sent
                    stack.sql("INSERT INTO batch_counts VALUES ('" + batch + "', 0, 1, 0, 0, 0, 0, 0)");
                })
                .assertNext(view -> {
                    assertThat(counts(view)).containsEntry("queued", 2).containsEntry("sent", 1);
                    // all handed to SES: COMPLETED, but one outcome is still to come
                    stack.sql("UPDATE batch_counts SET sent = 3, delivered = 2 WHERE batch_id = '" + batch + "'",
                            "UPDATE batch SET status = 'COMPLETED' WHERE id = '" + batch + "'");
                })
                .assertNext(view -> {
                    assertThat(view).containsEntry("status", "COMPLETED");
                    assertThat(counts(view)).containsEntry("queued", 0).containsEntry("delivered", 2).containsEntry("bounced", 0);
                    stack.sql("UPDATE batch_counts SET bounced = 1 WHERE batch_id = '" + batch + "'");
                })
                // the stream stayed open for the last outcome, then ends
                .assertNext(view -> assertThat(counts(view)).containsEntry("delivered", 2).containsEntry("bounced", 1))
                .expectComplete()
                .verify(Duration.ofSeconds(20));
    }

    @Test
    void shouldSendAFinishedBatchOnceAndEnd() {
        // final and settled: one recipient sent and delivered, the other cancelled before its send
        String batch = batch("done", "acme", "CANCELLED", 2);
        stack.sql("INSERT INTO batch_counts (batch_id, sent, delivered, cancelled) VALUES ('" + batch + "', 1, 1, 1)");
        StepVerifier.create(stream(batch, acme).filter(e -> e.data() != null))
                .assertNext(e -> assertThat(e.data()).containsEntry("status", "CANCELLED"))
                .expectComplete()
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void shouldAnswerProblemsLikeTheBatchEndpoint() {
        String batch = batch("private", "acme", "PROCESSING", 1);
        String globex = key("globex", "read");
        String sendOnly = key("acme", "send");
        Map<String, Object> notFound = stack.client.get().uri("/api/v1/batches/" + batch + "/stream")
                .header("Authorization", "Bearer " + globex).accept(MediaType.TEXT_EVENT_STREAM).exchange()
                .expectStatus().isNotFound()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody(MAP).returnResult().getResponseBody();
        assertThat((String) notFound.get("detail")).contains(batch);
        stack.client.get().uri("/api/v1/batches/" + batch + "/stream").header("Authorization", "Bearer " + sendOnly)
                .accept(MediaType.TEXT_EVENT_STREAM).exchange().expectStatus().isForbidden();
        stack.client.get().uri("/api/v1/batches/" + batch + "/stream").accept(MediaType.TEXT_EVENT_STREAM).exchange()
                .expectStatus().isUnauthorized();
        stack.client.get().uri("/api/v1/batches/not-a-batch/stream").header("Authorization", "Bearer " + acme)
                .accept(MediaType.TEXT_EVENT_STREAM).exchange().expectStatus().isNotFound();
    }

    private static Flux<ServerSentEvent<Map<String, Object>>> stream(String batch, String key) {
        return stack.client.get().uri("/api/v1/batches/" + batch + "/stream").header("Authorization", "Bearer " + key)
                .accept(MediaType.TEXT_EVENT_STREAM).exchange()
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
                .returnResult(EVENT).getResponseBody();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> counts(Map<String, Object> view) {
        return (Map<String, Object>) view.get("counts");
    }

    private static String batch(String name, String tenant, String status, int total) {
        String id = "bat_" + name + "0".repeat(26 - name.length());
        stack.sql("INSERT INTO batch (id, tenant_id, status, total, created_at) VALUES ('" + id + "', '" + tenant + "', '"
                + status + "', " + total + ", now())");
        return id;
    }

    private static String key(String tenant, String scope) {
        Map<String, Object> created = stack.client.post().uri("/api/v1/api-keys")
                .header("Authorization", "Bearer " + IngressTestStack.ADMIN_KEY).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", tenant + "-" + scope, "tenantId", tenant, "scopes", List.of(scope)))
                .exchange().expectStatus().isCreated().expectBody(MAP).returnResult().getResponseBody();
        return (String) created.get("key");
    }
}
