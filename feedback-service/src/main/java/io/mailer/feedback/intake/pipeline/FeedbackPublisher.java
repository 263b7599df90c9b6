package io.mailer.feedback.intake.pipeline;

import io.mailer.feedback.intake.IntakeOutcome;
import io.mailer.feedback.system.FeedbackTopics;
import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.Suppression;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * Writes intake outcomes to Kafka through the idempotent, acks=all producer. Each method returns
 * a future that completes once every record is acknowledged by all in-sync replicas: only then
 * may the SQS message be deleted.
 */
final class FeedbackPublisher {

    public static final String REASON_HEADER = "reason";
    public static final String DETAIL_HEADER = "detail";
    public static final String SQS_MESSAGE_ID_HEADER = "sqs-message-id";

    private final KafkaTemplate<String, byte[]> kafka;
    private final FeedbackTopics topics;

    public FeedbackPublisher(KafkaTemplate<String, byte[]> kafka, FeedbackTopics topics) {
        this.kafka = kafka;
        this.topics = topics;
    }

    public CompletableFuture<Void> publish(IntakeOutcome.Publish outcome) {
        var events = topics.topics().deliveryEvents;
        var suppressions = topics.topics().suppressions;
        List<CompletableFuture<?>> acks = new ArrayList<>();
        for (DeliveryEvent e : outcome.events()) {
            acks.add(kafka.send(events.name(), e.sendId(), events.valueSerde().serializer().serialize(events.name(), e)));
        }
        for (Suppression s : outcome.suppressions()) {
            acks.add(kafka.send(suppressions.name(), s.key(),
                    suppressions.valueSerde().serializer().serialize(suppressions.name(), s)));
        }
        return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new));
    }

    public CompletableFuture<Void> quarantine(String sqsMessageId, String body, IntakeOutcome.Quarantine q) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topics.quarantine(), sqsMessageId,
                body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8));
        record.headers().add(REASON_HEADER, q.reason().tag().getBytes(StandardCharsets.UTF_8));
        record.headers().add(DETAIL_HEADER, truncate(q.detail()).getBytes(StandardCharsets.UTF_8));
        record.headers().add(SQS_MESSAGE_ID_HEADER, sqsMessageId.getBytes(StandardCharsets.UTF_8));
        return kafka.send(record).thenApply(r -> null);
    }

    private static String truncate(String s) {
        String v = s == null ? "" : s;
        return v.length() <= 1000 ? v : v.substring(0, 1000);
    }
}
