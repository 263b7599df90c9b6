package io.mailer.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.EventType;
import io.mailer.schemas.kafka.Json;
import io.mailer.schemas.reputation.ReputationState;
import io.mailer.schemas.reputation.TenantEvent;
import io.mailer.schemas.webhooks.WebhookCommand;
import io.mailer.schemas.webhooks.WebhookEndpoint;
import io.mailer.schemas.webhooks.WebhookSecret;
import io.mailer.webhook.projector.DeliveryRetention;
import io.mailer.webhook.relay.EndpointDirectory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/**
 * The relay against a real broker, PostgreSQL and a real HTTP receiver on localhost (http allowed
 * and 127.0.0.1 allowlisted, as an operator would for a local run). Retry tiers are shortened to
 * 1-6 s so an outage and its recovery fit in a test.
 */
class WebhookRelayIT {

    static RelayTestStack stack;
    static Receiver receiver;

    @BeforeAll
    static void start() throws Exception {
        receiver = new Receiver();
        stack = new RelayTestStack("it-relay.", Map.of("WEBHOOK_RETRY_DELAYS", "1s,2s,3s,4s,5s,6s",
                "WEBHOOK_TIMEOUT_SECONDS", "10"));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    static WebhookEndpoint endpoint(String tenant, String path, List<String> events, int batchSize, List<WebhookSecret> secrets) {
        WebhookEndpoint e = stack.endpoint(tenant, path.startsWith("http") ? path : receiver.url(path), events, batchSize, secrets);
        EndpointDirectory directory = stack.app.getBean(EndpointDirectory.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> directory.get(e.id()) != null);
        return e;
    }

    @Test
    void shouldSignEveryRequestSoThatAnIndependentVerifierAcceptsItWithEitherSecretDuringARotation() {
        // Given an endpoint of tenant "signed" for SENT and DELIVERED, mid-rotation: a new secret and the old one, valid 1 h more
        String current = RelayTestStack.newSecret();
        String previous = RelayTestStack.newSecret();
        endpoint("signed", "/signed", List.of("SENT", "DELIVERED"), 1,
                List.of(new WebhookSecret(current, null), new WebhookSecret(previous, Instant.now().plusSeconds(3600))));

        // When three events arrive, one of a type it did not subscribe to
        DeliveryEvent sent = stack.event("signed", "bat_s-0", EventType.SENT);
        stack.event("signed", "bat_s-0", EventType.OPENED);
        DeliveryEvent delivered = stack.event("signed", "bat_s-0", EventType.DELIVERED);

        // Then exactly the two subscribed ones arrive, in order, each verifying with either secret
        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.at("/signed").size() >= 2);
        List<Receiver.Request> got = receiver.at("/signed");
        assertThat(got).hasSize(2);
        for (Receiver.Request r : got) {
            assertThat(new StandardWebhooksVerifier(current).verify(r.id(), r.timestamp(), r.signature(), r.body())).isTrue();
            assertThat(new StandardWebhooksVerifier(previous).verify(r.id(), r.timestamp(), r.signature(), r.body())).isTrue();
            assertThat(new StandardWebhooksVerifier(RelayTestStack.newSecret()).verify(r.id(), r.timestamp(), r.signature(), r.body()))
                    .as("a wrong secret does not verify").isFalse();
            assertThat(r.signature().split(" ")).hasSize(2).allMatch(s -> s.startsWith("v1,"));
            assertThat(r.id()).matches("msg_[A-Za-z0-9_-]{22}");
        }
        JsonNode first = Json.MAPPER.readTree(got.get(0).body());
        assertThat(first.get("type").asText()).isEqualTo("email.sent");
        assertThat(first.get("timestamp").asText()).isEqualTo(sent.occurredAt().toString());
        assertThat(first.get("data").get("eventId").asText()).isEqualTo(sent.eventId());
        assertThat(Json.MAPPER.readTree(got.get(1).body()).get("data").get("eventId").asText()).isEqualTo(delivered.eventId());

        // and a tampered body does not verify
        byte[] tampered = got.get(0).body().clone();
        tampered[tampered.length - 2] ^= 1;
        assertThat(new StandardWebhooksVerifier(current).verify(got.get(0).id(), got.get(0).timestamp(), got.get(0).signature(), tampered))
                .isFalse();
    }

    @Test
    void shouldDeliverEveryEventExactlyOncePerWebhookIdAndInOrderPerSendIdAfterAnOutage() {
        // Given an endpoint that is down (503, then connection-level failures are the same to the relay) for the first 6 s
        String secret = RelayTestStack.newSecret();
        AtomicBoolean down = new AtomicBoolean(true);
        receiver.on("/outage", r -> down.get() ? 503 : 200, 0);
        endpoint("outage", "/outage", List.of(), 1, List.of(new WebhookSecret(secret, null)));

        // When 10 send ids get 4 events each while it is down
        Map<String, List<String>> expectedOrder = new LinkedHashMap<>();
        for (int round = 0; round < 4; round++) {
            EventType type = List.of(EventType.SENT, EventType.DELIVERED, EventType.OPENED, EventType.CLICKED).get(round);
            for (int s = 0; s < 10; s++) {
                String sendId = "bat_o-" + s;
                expectedOrder.computeIfAbsent(sendId, k -> new ArrayList<>()).add(stack.event("outage", sendId, type).eventId());
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.at("/outage").size() >= 3);
        sleep(6000);
        down.set(false);

        // Then, once it is back, every event arrives with a 2xx; de-duplicated by webhook-id exactly once each
        await().atMost(Duration.ofSeconds(60)).until(() -> delivered("/outage").size() >= 40);
        sleep(2000);
        List<Receiver.Request> ok = delivered("/outage");
        Set<String> ids = new LinkedHashSet<>();
        Map<String, List<String>> order = new LinkedHashMap<>();
        for (Receiver.Request r : ok) {
            assertThat(new StandardWebhooksVerifier(secret).verify(r.id(), r.timestamp(), r.signature(), r.body())).isTrue();
            if (ids.add(r.id())) {
                JsonNode data = Json.MAPPER.readTree(r.body()).get("data");
                order.computeIfAbsent(data.get("sendId").asText(), k -> new ArrayList<>()).add(data.get("eventId").asText());
            }
        }
        assertThat(ids).hasSize(40);
        assertThat(order).as("per send id, first deliveries in event order").isEqualTo(expectedOrder);
        assertThat(receiver.at("/outage").stream().filter(r -> r.answered() == 503)).as("it was retried while down").isNotEmpty();

        // and the deliveries view shows each delivered, with as many attempts as the endpoint saw requests for its webhook-id
        // (which message is the probe of a failing endpoint is whichever comes back first, so any of them may have the most)
        await().atMost(Duration.ofSeconds(20)).until(() -> stack.query(
                "SELECT count(*) AS n FROM webhook_delivery WHERE tenant_id = 'outage' AND status = 'DELIVERED'").get(0).get("n")
                .equals(40L));
        Map<String, Integer> requestsPerId = new LinkedHashMap<>();
        receiver.at("/outage").forEach(r -> requestsPerId.merge(r.id(), 1, Integer::sum));
        Map<String, Integer> attemptsPerId = new LinkedHashMap<>();
        stack.query("SELECT message_id, attempts FROM webhook_delivery WHERE tenant_id = 'outage'")
                .forEach(row -> attemptsPerId.put((String) row.get("message_id"), ((Number) row.get("attempts")).intValue()));
        assertThat(attemptsPerId).isEqualTo(requestsPerId);
        assertThat(attemptsPerId.values()).as("some were delivered only after a retry").anyMatch(n -> n > 1);
    }

    @Test
    void shouldKeepTenantBWithinTwoSecondsWhileTenantAsEndpointTakesFiveSecondsPerRequest() {
        // Given tenant A's endpoint answers after 5 s, tenant B's at once
        receiver.on("/slow-a", r -> 200, 5000);
        endpoint("tenant-a", "/slow-a", List.of(), 1, List.of(new WebhookSecret(RelayTestStack.newSecret(), null)));
        endpoint("tenant-b", "/fast-b", List.of(), 1, List.of(new WebhookSecret(RelayTestStack.newSecret(), null)));

        // When both get events interleaved on the same partitions for 6 s (same send ids' partitions)
        Map<String, Long> producedAt = new LinkedHashMap<>();
        for (int i = 0; i < 30; i++) {
            stack.event("tenant-a", "bat_a-" + (i % 3), EventType.SENT);
            DeliveryEvent b = stack.event("tenant-b", "bat_b-" + (i % 3), EventType.SENT);
            producedAt.put(b.eventId(), System.currentTimeMillis());
            sleep(200);
        }

        // Then every B event arrives within 2 s of being written, while A's queue is still being worked off
        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.at("/fast-b").size() >= 30);
        long worst = 0;
        for (Receiver.Request r : receiver.at("/fast-b")) {
            String eventId = Json.MAPPER.readTree(r.body()).get("data").get("eventId").asText();
            worst = Math.max(worst, r.receivedAtMs() - producedAt.get(eventId));
        }
        System.out.println("ISOLATION tenant B worst event-to-POST latency: " + worst + " ms; tenant A requests so far: "
                + receiver.at("/slow-a").size());
        assertThat(worst).as("tenant B's worst event-to-POST latency, ms").isLessThan(2000);
        assertThat(receiver.at("/slow-a").size()).as("A is served one request at a time, 5 s each").isLessThan(30);
    }

    @Test
    void shouldDisableAnEndpointThatAnswers410AndStopSendingToIt() {
        // Given an endpoint that answers 410 Gone
        receiver.on("/gone", r -> 410, 0);
        WebhookEndpoint e = endpoint("gone", "/gone", List.of(), 1, List.of(new WebhookSecret(RelayTestStack.newSecret(), null)));

        // When two events arrive
        stack.event("gone", "bat_g-0", EventType.SENT);
        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.at("/gone").size() >= 1);
        EndpointDirectory directory = stack.app.getBean(EndpointDirectory.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> !directory.get(e.id()).enabled());
        stack.event("gone", "bat_g-1", EventType.SENT);
        sleep(2000);

        // Then it was called once and is disabled, with the reason in the view and a disable event
        assertThat(receiver.at("/gone")).hasSize(1);
        assertThat(directory.get(e.id()).disabledReason()).contains("410");
        await().atMost(Duration.ofSeconds(20)).until(() -> !stack.query("SELECT status FROM webhook_delivery WHERE endpoint_id = '"
                + e.id() + "' AND status = 'ENDPOINT_DISABLED'").isEmpty());
    }

    @Test
    void shouldSendUpToTheBatchSizeOfEventsInOnePostWhenTheEndpointAsksForBatches() {
        // Given an endpoint with batchSize 50 that is slow (1 s), so events pile up behind the first request
        receiver.on("/batched", r -> 200, 1000);
        String secret = RelayTestStack.newSecret();
        endpoint("batched", "/batched", List.of(), 50, List.of(new WebhookSecret(secret, null)));

        // When 120 events arrive
        for (int i = 0; i < 120; i++) {
            stack.event("batched", "bat_x-" + i, EventType.DELIVERED);
        }

        // Then they arrive in batch bodies of at most 50, all verifying, 120 distinct events in all
        await().atMost(Duration.ofSeconds(30)).until(() -> events("/batched").size() >= 120);
        for (Receiver.Request r : receiver.at("/batched")) {
            assertThat(new StandardWebhooksVerifier(secret).verify(r.id(), r.timestamp(), r.signature(), r.body())).isTrue();
            JsonNode body = Json.MAPPER.readTree(r.body());
            assertThat(body.get("type").asText()).isEqualTo("batch");
            assertThat(body.get("data").size()).isBetween(1, 50);
        }
        assertThat(new LinkedHashSet<>(events("/batched"))).hasSize(120);
        assertThat(receiver.at("/batched").size()).isLessThan(120);
    }

    @Test
    void shouldSendATestMessageAndReplayPastEventsWithTheirOriginalWebhookIds() {
        // Given an endpoint that received two events
        String secret = RelayTestStack.newSecret();
        WebhookEndpoint e = endpoint("replayed", "/replayed", List.of(), 1, List.of(new WebhookSecret(secret, null)));
        Instant before = Instant.now().minusSeconds(1);
        stack.event("replayed", "bat_r-0", EventType.SENT);
        stack.event("replayed", "bat_r-0", EventType.DELIVERED);
        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.at("/replayed").size() >= 2);
        List<String> firstIds = receiver.at("/replayed").stream().map(Receiver.Request::id).toList();

        // When a test message and a replay since before them are asked for
        stack.command(new WebhookCommand(WebhookCommand.Type.TEST, "t1", e.id(), "replayed", null, Instant.now()));
        stack.command(new WebhookCommand(WebhookCommand.Type.REPLAY, "r1", e.id(), "replayed", before, Instant.now()));

        // Then the test message arrives signed, and the two events arrive again under the same webhook-ids
        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.at("/replayed").size() >= 5);
        List<Receiver.Request> got = receiver.at("/replayed");
        assertThat(got).allSatisfy(r -> assertThat(new StandardWebhooksVerifier(secret).verify(r.id(), r.timestamp(), r.signature(),
                r.body())).isTrue());
        assertThat(got).filteredOn(r -> r.id().equals("msg_test_t1")).singleElement().satisfies(r ->
                assertThat(Json.MAPPER.readTree(r.body()).get("type").asText()).isEqualTo("webhook.test"));
        assertThat(got.stream().map(Receiver.Request::id).filter(id -> !id.startsWith("msg_test_")))
                .containsExactlyInAnyOrder(firstIds.get(0), firstIds.get(1), firstIds.get(0), firstIds.get(1));
    }

    @Test
    void shouldNotCallAnEndpointWhoseAddressIsNotAllowed() {
        // Given an endpoint on 127.0.0.2 (loopback, outside the allowlisted 127.0.0.1/32) — e.g. a DNS name moved there
        receiver.on("/never", r -> 200, 0);
        WebhookEndpoint e = endpoint("ssrf", receiver.url("/never").replace("127.0.0.1", "127.0.0.2"),
                List.of(), 1, List.of(new WebhookSecret(RelayTestStack.newSecret(), null)));

        // When an event arrives
        stack.event("ssrf", "bat_f-0", EventType.SENT);

        // Then no request is made, and the delivery shows the refusal and a retry
        await().atMost(Duration.ofSeconds(20)).until(() -> !stack.query("SELECT last_error FROM webhook_delivery WHERE endpoint_id = '"
                + e.id() + "'").isEmpty());
        assertThat(receiver.at("/never")).isEmpty();
        assertThat((String) stack.query("SELECT last_error FROM webhook_delivery WHERE endpoint_id = '" + e.id() + "'").get(0)
                .get("last_error")).contains("public-address").contains("127.0.0.2");
    }

    @Test
    void shouldTellTheTenantsEndpointsThatAskForItWhenTheGuardChangesTheTenantsState() {
        // Given tenant "guarded" with an endpoint for its state changes and one for SENT only, and another tenant's endpoint
        String secret = RelayTestStack.newSecret();
        endpoint("guarded", "/guarded-state", List.of(WebhookEndpoint.TENANT_STATE_CHANGED), 1, List.of(new WebhookSecret(secret, null)));
        endpoint("guarded", "/guarded-sent", List.of("SENT"), 1, List.of(new WebhookSecret(RelayTestStack.newSecret(), null)));
        endpoint("bystander", "/bystander-state", List.of(WebhookEndpoint.TENANT_STATE_CHANGED), 1,
                List.of(new WebhookSecret(RelayTestStack.newSecret(), null)));

        // When the reputation guard throttles, then pauses the tenant
        TenantEvent throttled = stack.tenantEvent("guarded", 1, ReputationState.ACTIVE, ReputationState.THROTTLED, "bounce rate 3.1 %");
        TenantEvent paused = stack.tenantEvent("guarded", 2, ReputationState.THROTTLED, ReputationState.PAUSED, "bounce rate 15.0 %");

        // Then the state endpoint gets both, in order, signed, with the event as data; nobody else gets anything
        await().atMost(Duration.ofSeconds(20)).until(() -> receiver.at("/guarded-state").size() >= 2);
        List<Receiver.Request> got = receiver.at("/guarded-state");
        assertThat(got).hasSize(2);
        JsonNode first = Json.MAPPER.readTree(got.get(0).body());
        JsonNode second = Json.MAPPER.readTree(got.get(1).body());
        assertThat(first.get("type").asText()).isEqualTo("tenant.throttled");
        assertThat(second.get("type").asText()).isEqualTo("tenant.paused");
        assertThat(second.get("timestamp").asText()).isEqualTo(paused.occurredAt().toString());
        assertThat(first.get("data").get("eventId").asText()).isEqualTo(throttled.eventId());
        assertThat(second.get("data").get("tenantId").asText()).isEqualTo("guarded");
        assertThat(second.get("data").get("reason").asText()).isEqualTo("bounce rate 15.0 %");
        assertThat(second.get("data").get("window").get("hardBounces").asLong()).isEqualTo(60);
        for (Receiver.Request r : got) {
            assertThat(new StandardWebhooksVerifier(secret).verify(r.id(), r.timestamp(), r.signature(), r.body())).isTrue();
        }
        assertThat(receiver.at("/guarded-sent")).isEmpty();
        assertThat(receiver.at("/bystander-state")).isEmpty();
    }

    @Test
    void shouldDeleteDeliveriesAndDeletedEndpointsOlderThanTheRetentionInChunks() {
        // Given more expired deliveries than one chunk, deliveries just inside the retention, and endpoints
        JdbcTemplate jdbc = stack.app.getBean(JdbcTemplate.class);
        DeliveryRetention retention = stack.app.getBean(DeliveryRetention.class);
        assertThat(retention.retention()).isEqualTo(Duration.ofDays(30));
        int expired = DeliveryRetention.CHUNK * 2 + 123;
        String insert = """
                INSERT INTO webhook_delivery (message_id, endpoint_id, tenant_id, event_type, status, attempts, created_at)
                SELECT 'msg_' || i, ?, 'retention', 'email.sent', 'DELIVERED', 1, now() - make_interval(days => ?)
                  FROM generate_series(1, ?) i""";
        jdbc.update(insert, "wh_retention_old", 31, expired);
        jdbc.update(insert, "wh_retention_recent", 29, 3);
        String endpoint = """
                INSERT INTO webhook_endpoint (id, tenant_id, url, events, enabled, batch_size, record, created_at, updated_at,
                                              revision, deleted)
                VALUES (?, 'retention', 'https://example.com/h', 'SENT', false, 1, '{}', now() - make_interval(days => ?),
                        now() - make_interval(days => ?), 1, ?)""";
        jdbc.update(endpoint, "wh_retention_gone", 40, 31, true);
        jdbc.update(endpoint, "wh_retention_gone_lately", 40, 2, true);
        jdbc.update(endpoint, "wh_retention_live", 40, 31, false);

        // When the retention job runs
        DeliveryRetention.Run run = retention.runOnce();

        // Then only what is older than 30 days went, the deleted endpoint's row included
        assertThat(run.ran()).isTrue();
        assertThat(run.deliveries()).isEqualTo(expired);
        assertThat(count(jdbc, "SELECT count(*) FROM webhook_delivery WHERE endpoint_id = 'wh_retention_old'")).isZero();
        assertThat(count(jdbc, "SELECT count(*) FROM webhook_delivery WHERE endpoint_id = 'wh_retention_recent'")).isEqualTo(3);
        assertThat(jdbc.queryForList("SELECT id FROM webhook_endpoint WHERE id LIKE 'wh_retention_%' ORDER BY id", String.class))
                .containsExactly("wh_retention_gone_lately", "wh_retention_live");
    }

    private static long count(JdbcTemplate jdbc, String sql) {
        Long n = jdbc.queryForObject(sql, Long.class);
        return n == null ? 0 : n;
    }

    static List<Receiver.Request> delivered(String path) {
        return receiver.at(path).stream().filter(r -> r.answered() >= 200 && r.answered() < 300).toList();
    }

    static List<String> events(String path) {
        List<String> ids = new ArrayList<>();
        for (Receiver.Request r : receiver.at(path)) {
            Json.MAPPER.readTree(r.body()).get("data").forEach(e -> ids.add(e.get("data").get("eventId").asText()));
        }
        return ids;
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
