package io.mailer.topology.reputation;

import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.EventType;
import io.mailer.schemas.events.Ids;
import io.mailer.schemas.kafka.Topics;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Queue;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Delivery events as the pipeline writes them, serialized as the schemas module does, round-robin
 * over the tenants: per send a SENT, then (as SES answers) 90 % DELIVERED, 4 % hard and 3 % soft
 * bounces, the rest unanswered; every 50th notification is written twice (a redelivery: same event
 * id, dropped by the guard). For {@link ReputationBenchmark}.
 */
final class EventMix {

    private final String topic;
    private final Serializer<DeliveryEvent> serializer;
    private final int tenants;
    private final Queue<DeliveryEvent> pending = new ArrayDeque<>();
    private int send;
    private long sends;

    EventMix(Topics topics, int tenants, int firstSend) {
        this.topic = topics.deliveryEvents.name();
        this.serializer = topics.deliveryEvents.valueSerde().serializer();
        this.tenants = tenants;
        this.send = firstSend;
    }

    ProducerRecord<String, byte[]> next(long timestamp) {
        if (pending.isEmpty()) {
            nextSend(timestamp);
        }
        DeliveryEvent e = pending.remove();
        sends += e.type() == EventType.SENT ? 1 : 0;
        return new ProducerRecord<>(topic, null, timestamp, e.sendId(), serializer.serialize(topic, e));
    }

    /** SENT events written so far. */
    long sends() {
        return sends;
    }

    private void nextSend(long at) {
        int i = send++;
        String tenant = "tenant-" + (i % tenants);
        String sendId = Ids.sendId("batch-" + tenant, i);
        pending.add(event(Ids.pipelineEventId(sendId, EventType.SENT), EventType.SENT, sendId, tenant, at));
        int answer = i % 100;
        EventType ses = answer < 90 ? EventType.DELIVERED : answer < 94 ? EventType.BOUNCED
                : answer < 97 ? EventType.SOFT_BOUNCED : null;
        if (ses != null) {
            DeliveryEvent e = event(Ids.sesEventId("ses-" + sendId, ses.name(), "r" + i + "@example.com"), ses, sendId,
                    tenant, at);
            pending.add(e);
            if (i % 50 == 7) {
                pending.add(e);
            }
        }
    }

    private static DeliveryEvent event(String eventId, EventType type, String sendId, String tenant, long at) {
        return new DeliveryEvent(eventId, type, sendId, "batch-" + tenant, tenant, 0, "r@example.com",
                Instant.ofEpochMilli(at), "ses-" + sendId, null, Map.of("bounceType", "Permanent"),
                Map.of("campaign", "dec"), Map.of());
    }
}
