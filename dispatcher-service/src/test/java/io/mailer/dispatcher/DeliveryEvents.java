package io.mailer.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.EventType;
import io.mailer.schemas.events.Ids;
import io.mailer.schemas.events.SendRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reading and expecting delivery events in the integration tests. */
final class DeliveryEvents {

    static final Duration PATIENCE = Duration.ofSeconds(60);

    private DeliveryEvents() {
    }

    static List<DeliveryEvent> outcomesOf(TopicReader<DeliveryEvent> events, String batchId) {
        return events.values().stream().filter(e -> batchId.equals(e.batchId())).toList();
    }

    /** Waits for {@code count} events of the batch, then a little longer to catch any extra one. */
    static List<DeliveryEvent> awaitOutcomes(TopicReader<DeliveryEvent> events, String batchId, int count) {
        await().atMost(PATIENCE).until(() -> outcomesOf(events, batchId).size() >= count);
        await().pollDelay(Duration.ofMillis(500)).atMost(PATIENCE).until(() -> true);
        List<DeliveryEvent> outcomes = outcomesOf(events, batchId);
        assertThat(outcomes).hasSize(count);
        return outcomes;
    }

    /** The expected SENT event; occurredAt is taken from the actual event of that send. */
    static DeliveryEvent sentEvent(SendRequest s, String sesMessageId, List<DeliveryEvent> actual, int attempts) {
        Instant at = actual.stream().filter(e -> e.sendId().equals(s.sendId())).map(DeliveryEvent::occurredAt)
                .findFirst().orElse(null);
        return new DeliveryEvent(Ids.pipelineEventId(s.sendId(), EventType.SENT), EventType.SENT, s.sendId(),
                s.batchId(), s.tenantId(), s.recipientIndex(), s.email(), at, sesMessageId, null,
                Map.of("attempts", Integer.toString(attempts)));
    }

    static Map<String, String> orderedMap(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }
}
