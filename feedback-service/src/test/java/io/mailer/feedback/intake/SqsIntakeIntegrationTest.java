package io.mailer.feedback.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailer.feedback.support.FeedbackStack;
import io.mailer.feedback.support.TopicReader;
import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.EventType;
import io.mailer.schemas.events.Ids;
import io.mailer.schemas.events.Suppression;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The intake against real infrastructure: ElasticMQ as SQS, the embedded Kafka broker, and the
 * projector writing the embedded PostgreSQL, all inside the running feedback service.
 */
class SqsIntakeIntegrationTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static FeedbackStack stack;
    private static TopicReader deliveryEvents;
    private static TopicReader suppressions;
    private static TopicReader quarantine;

    @BeforeAll
    static void start() {
        stack = FeedbackStack.get();
        deliveryEvents = stack.reader(stack.topics().topics().deliveryEvents.name());
        suppressions = stack.reader(stack.topics().topics().suppressions.name());
        quarantine = stack.reader(stack.topics().quarantine());
    }

    @AfterAll
    static void closeReaders() {
        deliveryEvents.close();
        suppressions.close();
        quarantine.close();
    }

    /** The configuration-set bounce fixture for a fresh batch, address and SES message id. */
    private record Bounce(String batchId, String sendId, String email, String sesMessageId, String sesJson) {
        static Bounce fresh() {
            String batchId = UUID.randomUUID().toString();
            String email = "user-" + UUID.randomUUID() + "@example.com";
            String sesMessageId = "0100" + UUID.randomUUID() + "-000000";
            String json = Fixtures.text("configuration-set/bounce-permanent.json")
                    .replace(Fixtures.BATCH_ID, batchId)
                    .replace(Fixtures.EMAIL, email)
                    .replace(Fixtures.SES_MESSAGE_ID, sesMessageId);
            return new Bounce(batchId, batchId + "-4", email, sesMessageId, json);
        }

        DeliveryEvent expectedEvent() {
            return new DeliveryEvent(Ids.sesEventId(sesMessageId, "Bounce", email), EventType.BOUNCED, sendId, batchId,
                    "acme", 4, email, Instant.parse("2026-11-20T10:00:02.669Z"), sesMessageId, "Permanent/General",
                    Map.of("bounceType", "Permanent", "bounceSubType", "General",
                            "feedbackId", "01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000",
                            "diagnosticCode", "smtp; 550 5.1.1 user unknown", "status", "5.1.1", "action", "failed"));
        }

        Suppression expectedSuppression() {
            return new Suppression("acme", email, Suppression.Reason.BOUNCE, expectedEvent().eventId(),
                    Instant.parse("2026-11-20T10:00:02.669Z"));
        }
    }

    private static void sendToSqs(String body) {
        stack.sqs().sendMessage(b -> b.queueUrl(stack.queueUrl()).messageBody(body));
    }

    private static List<DeliveryEvent> eventsOf(String sendId) {
        var topic = stack.topics().topics().deliveryEvents;
        return deliveryEvents.records(r -> sendId.equals(r.key())).stream()
                .map(r -> topic.valueSerde().deserializer().deserialize(topic.name(), r.value())).toList();
    }

    private static List<Suppression> suppressionsOf(String key) {
        var topic = stack.topics().topics().suppressions;
        return suppressions.records(r -> key.equals(r.key())).stream()
                .map(r -> topic.valueSerde().deserializer().deserialize(topic.name(), r.value())).toList();
    }

    private static void awaitQueueEmpty() {
        await().atMost(TIMEOUT).untilAsserted(() -> {
            Map<QueueAttributeName, String> attributes = stack.sqs().getQueueAttributes(b -> b.queueUrl(stack.queueUrl())
                    .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
            assertThat(attributes).containsEntry(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, "0")
                    .containsEntry(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE, "0");
        });
    }

    @Test
    void shouldPublishBouncedEventAndSuppressionThenDeleteTheSqsMessage() {
        // Given an SNS-wrapped permanent bounce of a Mailer send
        Bounce bounce = Bounce.fresh();
        // When it arrives on the queue
        sendToSqs(Fixtures.snsEnvelope(bounce.sesJson(), UUID.randomUUID().toString()));
        // Then exactly one BOUNCED event and one suppression are on Kafka, and the message is gone
        await().atMost(TIMEOUT).until(() -> !eventsOf(bounce.sendId()).isEmpty()
                && !suppressionsOf("acme|" + bounce.email()).isEmpty());
        awaitQueueEmpty();
        assertThat(eventsOf(bounce.sendId())).containsExactly(bounce.expectedEvent());
        assertThat(suppressionsOf("acme|" + bounce.email())).containsExactly(bounce.expectedSuppression());
    }

    @Test
    void shouldKeepOneEventRowWhenTheSameNotificationIsDeliveredTwice() {
        // Given a bounce that SNS delivers twice (same MessageId: an SNS retry) and SQS hands out twice
        Bounce bounce = Bounce.fresh();
        String envelope = Fixtures.snsEnvelope(bounce.sesJson(), UUID.randomUUID().toString());
        sendToSqs(envelope);
        sendToSqs(envelope);
        // When both are processed (at-least-once: the identical event is on Kafka twice)
        await().atMost(TIMEOUT).until(() -> eventsOf(bounce.sendId()).size() == 2);
        assertThat(eventsOf(bounce.sendId())).containsExactly(bounce.expectedEvent(), bounce.expectedEvent());
        awaitQueueEmpty();
        stack.awaitProjectorCaughtUp();
        // Then PostgreSQL holds one event row, one bounced recipient and one suppression
        var jdbc = stack.jdbc();
        assertThat(jdbc.queryForList("SELECT id, type, reason FROM event WHERE send_id = ?", bounce.sendId()))
                .containsExactly(Map.of("id", bounce.expectedEvent().eventId(), "type", "BOUNCED",
                        "reason", "Permanent/General"));
        assertThat(jdbc.queryForList("SELECT status, email, ses_message_id FROM recipient WHERE send_id = ?",
                bounce.sendId())).containsExactly(Map.of("status", "BOUNCED", "email", bounce.email(),
                        "ses_message_id", bounce.sesMessageId()));
        assertThat(jdbc.queryForList("SELECT reason, source_event_id FROM suppression WHERE tenant_id = 'acme' AND email = ?",
                bounce.email())).containsExactly(Map.of("reason", "BOUNCE",
                        "source_event_id", bounce.expectedEvent().eventId()));
    }

    @Test
    void shouldQuarantineUnparsableBodyWithReasonAndDeleteIt() {
        // Given a body that is not JSON
        String body = "not json " + UUID.randomUUID();
        double before = quarantined("unparsable");
        // When it arrives
        sendToSqs(body);
        // Then the raw body is on the quarantine topic with reason=unparsable, counted, and deleted from SQS
        await().atMost(TIMEOUT).until(() -> !quarantinedBodies(body).isEmpty());
        ConsumerRecord<String, byte[]> record = quarantinedBodies(body).get(0);
        assertThat(new String(record.headers().lastHeader("reason").value(), StandardCharsets.UTF_8))
                .isEqualTo("unparsable");
        awaitQueueEmpty();
        assertThat(quarantined("unparsable")).isEqualTo(before + 1);
    }

    @Test
    void shouldQuarantineNotificationThatCannotBeTiedToASend() {
        // Given a bounce of mail Mailer did not send (no tags, no X-Mailer headers)
        String body = Fixtures.snsEnvelope(Fixtures.text("configuration-set/bounce-untagged.json")
                .replace(Fixtures.SES_MESSAGE_ID, UUID.randomUUID().toString()), UUID.randomUUID().toString());
        sendToSqs(body);
        // Then it is quarantined as unmappable, nothing is published for it
        await().atMost(TIMEOUT).until(() -> !quarantinedBodies(body).isEmpty());
        assertThat(new String(quarantinedBodies(body).get(0).headers().lastHeader("reason").value(),
                StandardCharsets.UTF_8)).isEqualTo("unmappable");
        awaitQueueEmpty();
    }

    private static List<ConsumerRecord<String, byte[]>> quarantinedBodies(String body) {
        return quarantine.records(r -> body.equals(new String(r.value(), StandardCharsets.UTF_8)));
    }

    private static double quarantined(String reason) {
        var counter = stack.app().getBean(MeterRegistry.class).find("mailer.feedback.quarantined")
                .tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void shouldCorrelateUntaggedNotificationThroughTheProjectedSentEvent() {
        // Given the dispatcher's SENT event of a send, projected (recipient.ses_message_id)
        Bounce bounce = Bounce.fresh();
        var topic = stack.topics().topics().deliveryEvents;
        DeliveryEvent sent = new DeliveryEvent(Ids.pipelineEventId(bounce.sendId(), EventType.SENT), EventType.SENT,
                bounce.sendId(), bounce.batchId(), "acme", 4, bounce.email(), Instant.parse("2026-11-20T10:00:00Z"),
                bounce.sesMessageId(), null, Map.of());
        stack.send(topic.name(), sent.sendId(), topic.valueSerde().serializer().serialize(topic.name(), sent));
        await().atMost(TIMEOUT).until(() -> stack.jdbc().queryForList(
                "SELECT 1 FROM recipient WHERE ses_message_id = ?", bounce.sesMessageId()).size() == 1);
        // When a bounce of that SES message arrives with neither Mailer tags nor headers
        String untagged = Fixtures.text("configuration-set/bounce-untagged.json")
                .replace(Fixtures.EMAIL, bounce.email()).replace(Fixtures.SES_MESSAGE_ID, bounce.sesMessageId());
        sendToSqs(Fixtures.snsEnvelope(untagged, UUID.randomUUID().toString()));
        // Then it is tied to the send exactly as a tagged one would be
        await().atMost(TIMEOUT).until(() -> eventsOf(bounce.sendId()).size() == 2
                && !suppressionsOf("acme|" + bounce.email()).isEmpty());
        assertThat(eventsOf(bounce.sendId())).containsExactly(sent, bounce.expectedEvent());
        assertThat(suppressionsOf("acme|" + bounce.email())).containsExactly(bounce.expectedSuppression());
        awaitQueueEmpty();
    }

    @Test
    void shouldSuppressARecipientOnItsThirdSoftBounceWithinTheWindow() {
        // Given a recipient that soft-bounces three times (three SES messages of one batch)
        String batchId = UUID.randomUUID().toString();
        String email = "soft-" + UUID.randomUUID() + "@example.com";
        List<String> eventIds = new java.util.ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            String sesMessageId = "0100" + UUID.randomUUID() + "-00000" + i;
            String json = Fixtures.text("configuration-set/bounce-transient.json")
                    .replace(Fixtures.BATCH_ID, batchId).replace(Fixtures.EMAIL, email)
                    .replace(Fixtures.SES_MESSAGE_ID, sesMessageId);
            eventIds.add(Ids.sesEventId(sesMessageId, "Bounce", email));
            // When each arrives after the previous one is projected
            sendToSqs(Fixtures.snsEnvelope(json, UUID.randomUUID().toString()));
            int expected = i;
            await().atMost(TIMEOUT).until(() -> stack.jdbc().queryForObject(
                    "SELECT count(*) FROM event WHERE email = ? AND type = 'SOFT_BOUNCED'", Integer.class, email)
                    == expected);
            if (i < 3) {
                assertThat(suppressionsOf("acme|" + email)).isEmpty();
            }
        }
        // Then the third one (default SOFT_BOUNCE_SUPPRESS_AFTER=3 within 7 days) suppresses, pointing at it
        await().atMost(TIMEOUT).until(() -> !suppressionsOf("acme|" + email).isEmpty());
        assertThat(suppressionsOf("acme|" + email)).containsExactly(new Suppression("acme", email,
                Suppression.Reason.BOUNCE, eventIds.get(2), Instant.parse("2026-11-20T10:00:03.000Z")));
    }
}
