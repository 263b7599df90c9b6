package io.mailer.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailer.schemas.events.EventType;
import io.mailer.schemas.kafka.Json;
import io.mailer.schemas.webhooks.WebhookSecret;
import io.mailer.webhook.relay.EndpointDirectory;
import io.mailer.webhook.relay.Relay;
import java.time.Duration;
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
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * A second relay joins while a failing endpoint's messages are parked in the retry tiers: the
 * partitions split between the two. The first relay must not keep waiting for messages that now
 * return to the second, and the second must not send a newer event before the parked older one.
 */
class RelayRebalanceIT {

    static RelayTestStack stack;
    static Receiver receiver;

    @BeforeAll
    static void start() throws Exception {
        receiver = new Receiver();
        stack = new RelayTestStack("it-rebalance.", Map.of("WEBHOOK_RETRY_DELAYS", "8s,8s,8s,8s,8s,8s",
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

    @Test
    void shouldDeliverEverythingInOrderPerSendIdWhenTheTierPartitionsChangeOwner() throws Exception {
        // Given an endpoint that is down, and the SENT event of 30 send ids (3 partitions) parked in the tiers
        String secret = RelayTestStack.newSecret();
        AtomicBoolean down = new AtomicBoolean(true);
        receiver.on("/rb", r -> down.get() ? 503 : 200, 0);
        var endpoint = stack.endpoint("rb", receiver.url("/rb"), List.of(), 1, List.of(new WebhookSecret(secret, null)));
        EndpointDirectory directory = stack.app.getBean(EndpointDirectory.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> directory.get(endpoint.id()) != null);
        Map<String, List<String>> expected = new LinkedHashMap<>();
        for (int s = 0; s < 30; s++) {
            String sendId = "bat_rb-" + s;
            expected.computeIfAbsent(sendId, k -> new ArrayList<>()).add(stack.event("rb", sendId, EventType.SENT).eventId());
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> !receiver.at("/rb").isEmpty());

        // When a second relay joins the group (the partitions are split) and, once it has them, the endpoint is back
        // and every send id gets its DELIVERED event while its SENT is still parked
        ConfigurableApplicationContext second = stack.anotherReplica();
        assertThat(second.getBean(Relay.class).awaitJoined(Duration.ofSeconds(60))).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> second.getBean(EndpointDirectory.class).get(endpoint.id()) != null);
        Thread.sleep(2000);
        down.set(false);
        for (int s = 0; s < 30; s++) {
            String sendId = "bat_rb-" + s;
            expected.get(sendId).add(stack.event("rb", sendId, EventType.DELIVERED).eventId());
        }

        // Then all 60 arrive (de-duplicated by webhook-id), each send id's SENT before its DELIVERED
        await().atMost(Duration.ofSeconds(90)).until(() -> firstDeliveries(secret).values().stream().mapToInt(List::size).sum() >= 60);
        Map<String, List<String>> order = firstDeliveries(secret);
        assertThat(order).as("per send id, first deliveries in event order").isEqualTo(expected);
        assertThat(receiver.at("/rb").stream().map(Receiver.Request::id).distinct().count()).isEqualTo(60);
    }

    /** Per send id, the event ids of the first 2xx delivery of each webhook-id, in arrival order. */
    private static Map<String, List<String>> firstDeliveries(String secret) {
        Set<String> ids = new LinkedHashSet<>();
        Map<String, List<String>> order = new LinkedHashMap<>();
        for (Receiver.Request r : receiver.at("/rb")) {
            if (r.answered() < 200 || r.answered() >= 300 || !ids.add(r.id())) {
                continue;
            }
            assertThat(new StandardWebhooksVerifier(secret).verify(r.id(), r.timestamp(), r.signature(), r.body())).isTrue();
            JsonNode data = Json.MAPPER.readTree(r.body()).get("data");
            order.computeIfAbsent(data.get("sendId").asText(), k -> new ArrayList<>()).add(data.get("eventId").asText());
        }
        return order;
    }
}
