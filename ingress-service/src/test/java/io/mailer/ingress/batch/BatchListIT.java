package io.mailer.ingress.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.ingress.IngressTestStack;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * {@code GET /api/v1/batches} (the tenant's batches, newest first, keyset-paginated, filtered) and
 * {@code GET /api/v1/batches/{id}} reading the projector's {@code batch_counts} row. The view rows
 * are written here as the projector would (it does not run in the ingress tests).
 */
class BatchListIT {

    private static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
    };
    private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
    /** 30 batches of acme; every third pair shares its created_at, so pages also split on the id. */
    private static final int ACME = 30;

    private static IngressTestStack stack;
    private static String acme;
    private static String globex;

    @BeforeAll
    static void start() {
        stack = new IngressTestStack("it-list.", Map.of());
        acme = key("acme");
        globex = key("globex");
        for (int i = 0; i < ACME; i++) {
            String status = i % 5 == 0 ? "COMPLETED" : i % 7 == 0 ? "CANCELLED" : "PROCESSING";
            String tags = i % 3 == 0 ? "{\"campaign\":\"winter\",\"team\":\"growth\"}" : "{\"campaign\":\"summer\"}";
            insertBatch(id("a", i), "acme", status, tags, T0.plusSeconds(60L * (i / 2 * 2)));
        }
        for (int i = 0; i < 5; i++) {
            insertBatch(id("g", i), "globex", "PROCESSING", "{\"campaign\":\"winter\"}", T0.plusSeconds(60L * i + 30));
        }
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void shouldPageNewestFirstWithoutDuplicatesOrGapsWhileBatchesArrive() {
        List<String> expected = new ArrayList<>();
        for (int i = ACME - 1; i >= 0; i--) {
            expected.add(id("a", i));
        }
        // same created_at for (0,1), (2,3)...: newest first, then id descending
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Map<String, Object> page = get("/api/v1/batches?limit=4" + (cursor == null ? "" : "&cursor=" + cursor), acme)
                    .expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody();
            for (Map<?, ?> item : items(page)) {
                seen.add((String) item.get("id"));
            }
            cursor = (String) page.get("nextCursor");
            // new batches arrive between pages (newer than every listed one) and must not shift the pages
            insertBatch(id("n", pages), "acme", "PROCESSING", null, Instant.now());
            pages++;
        } while (cursor != null);
        List<String> fromSeed = seen.stream().filter(s -> s.startsWith("bat_a")).toList();
        assertThat(fromSeed).containsExactlyElementsOf(expected);
        assertThat(new HashSet<>(seen)).hasSameSizeAs(seen);
        assertThat(pages).isEqualTo(8);
        // the first page now starts with the newest arrival
        Map<String, Object> first = get("/api/v1/batches?limit=1", acme).expectStatus().isOk().expectBody(MAP)
                .returnResult().getResponseBody();
        assertThat(items(first).get(0).get("id")).isEqualTo(id("n", pages - 1));
    }

    @Test
    void shouldFilterByStatusCreatedAndTag() {
        assertThat(ids("/api/v1/batches?status=completed&limit=1000", acme))
                .containsExactly(id("a", 25), id("a", 20), id("a", 15), id("a", 10), id("a", 5), id("a", 0));
        assertThat(ids("/api/v1/batches?status=CANCELLED&limit=1000", acme))
                .containsExactly(id("a", 28), id("a", 21), id("a", 14), id("a", 7));
        // [createdAfter, createdBefore): minutes 4 and 6 are batches 4,5 and 6,7; minute 8 excluded
        assertThat(ids("/api/v1/batches?createdAfter=2026-11-01T00:04:00Z&createdBefore=2026-11-01T00:08:00Z", acme))
                .containsExactly(id("a", 7), id("a", 6), id("a", 5), id("a", 4));
        assertThat(ids("/api/v1/batches?tag=team:growth&limit=1000", acme))
                .containsExactly(id("a", 27), id("a", 24), id("a", 21), id("a", 18), id("a", 15), id("a", 12),
                        id("a", 9), id("a", 6), id("a", 3), id("a", 0));
        assertThat(ids("/api/v1/batches?tag=campaign:winter&status=COMPLETED&createdBefore=2026-11-01T00:20:00Z", acme))
                .containsExactly(id("a", 15), id("a", 0));
        assertThat(ids("/api/v1/batches?tag=campaign:autumn", acme)).isEmpty();
    }

    @Test
    void shouldNeverShowAnotherTenantsBatches() {
        List<String> mine = ids("/api/v1/batches?limit=1000&tag=campaign:winter", globex);
        assertThat(mine).containsExactly(id("g", 4), id("g", 3), id("g", 2), id("g", 1), id("g", 0));
        assertThat(ids("/api/v1/batches?limit=1000", acme)).noneMatch(s -> s.startsWith("bat_g"));
        // a cursor taken from acme's list does not open acme's rows to globex
        Map<String, Object> page = get("/api/v1/batches?limit=2", acme).expectStatus().isOk().expectBody(MAP)
                .returnResult().getResponseBody();
        assertThat(ids("/api/v1/batches?limit=1000&cursor=" + page.get("nextCursor"), globex))
                .allMatch(s -> s.startsWith("bat_g"));
    }

    @Test
    void shouldNameTheBadParameter() {
        for (var bad : List.of(
                List.of("status=SENDING", "status"),
                List.of("createdAfter=yesterday", "createdAfter"),
                List.of("createdBefore=2026-11-01", "createdBefore"),
                List.of("tag=campaign", "tag"),
                List.of("tag=camp%20aign:x", "tag"),
                List.of("cursor=not-a-cursor!", "cursor"),
                List.of("cursor=bm9wZQ", "cursor"),
                List.of("limit=0", "limit"),
                List.of("limit=1001", "limit"),
                List.of("limit=abc", "limit"))) {
            Map<String, Object> problem = get("/api/v1/batches?" + bad.get(0), acme)
                    .expectStatus().isBadRequest()
                    .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectBody(MAP).returnResult().getResponseBody();
            assertThat((String) problem.get("detail")).as(bad.get(0)).contains(bad.get(1));
            assertThat((List<?>) problem.get("errors")).as(bad.get(0))
                    .anySatisfy(e -> assertThat(((Map<?, ?>) e).get("field")).isEqualTo(bad.get(1)));
        }
    }

    @Test
    void shouldAnswerTheCountsFromTheCountersRow() {
        String batch = "bat_counters" + "0".repeat(18);
        insertBatch(batch, "acme", "PROCESSING", null, T0.minusSeconds(3600));
        stack.sql("UPDATE batch SET total = 100 WHERE id = '" + batch + "'",
                "INSERT INTO batch_counts VALUES ('" + batch + "', 5, 60, 50, 4, 2, 3, 7)");
        Map<String, Object> view = get("/api/v1/batches/" + batch, acme).expectStatus().isOk().expectBody(MAP)
                .returnResult().getResponseBody();
        assertThat(view.get("counts")).isEqualTo(Map.of("total", 100, "queued", 25, "suppressed", 5, "sent", 60,
                "delivered", 50, "bounced", 4, "complained", 2, "failed", 3, "cancelled", 7));
        get("/api/v1/batches/" + batch, globex).expectStatus().isNotFound();
        // a batch whose recipients the projector has not written yet: all queued
        Map<?, ?> fresh = items(get("/api/v1/batches?limit=1&createdBefore=" + T0, acme).expectStatus().isOk()
                .expectBody(MAP).returnResult().getResponseBody()).get(0);
        assertThat(fresh.get("id")).isEqualTo(batch);
        assertThat(((Map<?, ?>) fresh.get("counts")).get("queued")).isEqualTo(25);
        String empty = "bat_nocounters" + "0".repeat(16);
        insertBatch(empty, "acme", "PROCESSING", null, T0.minusSeconds(7200));
        stack.sql("UPDATE batch SET total = 3 WHERE id = '" + empty + "'");
        assertThat(get("/api/v1/batches/" + empty, acme).expectStatus().isOk().expectBody(MAP).returnResult()
                .getResponseBody().get("counts")).isEqualTo(Map.of("total", 3, "queued", 3, "suppressed", 0, "sent", 0,
                "delivered", 0, "bounced", 0, "complained", 0, "failed", 0, "cancelled", 0));
    }

    private static String id(String prefix, int i) {
        return "bat_" + prefix + String.format("%025d", i);
    }

    private static void insertBatch(String id, String tenant, String status, String tags, Instant createdAt) {
        stack.sql("INSERT INTO batch (id, tenant_id, status, total, tags, created_at) VALUES ('" + id + "', '" + tenant
                + "', '" + status + "', 1, " + (tags == null ? "NULL" : "'" + tags + "'") + ", '" + createdAt + "')");
    }

    private static List<String> ids(String uri, String key) {
        Map<String, Object> page = get(uri, key).expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody();
        return items(page).stream().map(i -> (String) i.get("id")).toList();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> items(Map<String, Object> page) {
        return (List<Map<String, Object>>) page.get("items");
    }

    private static WebTestClient.ResponseSpec get(String uri, String key) {
        return stack.client.get().uri(uri).header("Authorization", "Bearer " + key).exchange();
    }

    private static String key(String tenant) {
        Map<String, Object> created = stack.client.post().uri("/api/v1/api-keys")
                .header("Authorization", "Bearer " + IngressTestStack.ADMIN_KEY).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", tenant, "tenantId", tenant, "scopes", List.of("read")))
                .exchange().expectStatus().isCreated().expectBody(MAP).returnResult().getResponseBody();
        return (String) created.get("key");
    }
}
