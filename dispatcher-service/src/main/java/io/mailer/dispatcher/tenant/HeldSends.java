package io.mailer.dispatcher.tenant;

import io.mailer.schemas.events.SendRequest;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * Parks the send of a PAUSED tenant on {@code sends-held}, keyed by tenant id, so all of a tenant's
 * held sends are in one partition in the order they were held. Its headers (a retry tier's, for
 * instance) travel with it and come back with it. The write is part of the poll's outcome writes:
 * the poll is committed only once Kafka acknowledged it, so a held send is never lost.
 */
public final class HeldSends {

    public static final String HELD_REASON_HEADER = "mailer-held-reason";
    /** The send id: the key the send goes back to {@code sends} with. */
    public static final String SEND_ID_HEADER = "mailer-send-id";

    private final KafkaTemplate<String, Object> template;
    private final String topic;

    public HeldSends(KafkaTemplate<String, Object> template, String topic) {
        this.template = template;
        this.topic = topic;
    }

    public CompletableFuture<?> park(ConsumerRecord<String, SendRequest> record, String reason) {
        RecordHeaders headers = new RecordHeaders();
        for (Header h : record.headers()) {
            if (!h.key().equals(HELD_REASON_HEADER) && !h.key().equals(SEND_ID_HEADER)
                    && !h.key().startsWith("spring_") && !h.key().startsWith("kafka_")) {
                headers.add(h);
            }
        }
        headers.add(HELD_REASON_HEADER, reason.getBytes(StandardCharsets.UTF_8));
        headers.add(SEND_ID_HEADER, record.value().sendId().getBytes(StandardCharsets.UTF_8));
        return template.send(new ProducerRecord<>(topic, null, record.value().tenantId(), record.value(), headers));
    }
}
