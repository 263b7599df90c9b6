package io.mailer.feedback.projector;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.feedback.support.FeedbackStack;
import io.mailer.feedback.support.TopicReader;
import io.mailer.schemas.commands.BatchCommand;
import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.commands.RecipientEntry;
import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.EventType;
import io.mailer.schemas.events.Ids;
import io.mailer.schemas.events.Suppression;
import io.mailer.schemas.kafka.Topics;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The projector against the embedded Kafka and PostgreSQL: records in, exact rows out, whatever
 * the duplicates and arrival order.
 */
class ProjectorIntegrationTest {

    private static final Instant CREATED = Instant.parse("2026-11-20T09:59:00Z");
    private static final Instant T_SENT = Instant.parse("2026-11-20T10:00:00Z");
    private static final Instant T_DELIVERED = Instant.parse("2026-11-20T10:00:02Z");
    private static final Instant T_BOUNCED = Instant.parse("2026-11-20T10:00:03Z");
    private static final Instant T_LATE_DELIVERY = Instant.parse("2026-11-20T10:00:05Z");
    private static final Instant T_COMPLAINED = Instant.parse("2026-11-20T11:00:00Z");

    private static FeedbackStack stack;
    private static Topics topics;

    @BeforeAll
    static void start() {
        stack = FeedbackStack.get();
        topics = stack.topics().topics();
    }

    private record RecipientRow(String sendId, int index, String email, String status, int rank, String sesMessageId,
            String metadata, Instant sentAt, Instant deliveredAt, Instant bouncedAt, Instant complainedAt) {
    }

    private static List<RecipientRow> recipients(String batchId) {
        return stack.jdbc().query("""
                SELECT send_id, recipient_index, email, status, status_rank, ses_message_id, metadata::text AS metadata,
                       sent_at, delivered_at, bounced_at, complained_at
                FROM recipient WHERE batch_id = ? ORDER BY recipient_index""",
                (rs, n) -> new RecipientRow(rs.getString("send_id"), rs.getInt("recipient_index"), rs.getString("email"),
                        rs.getString("status"), rs.getInt("status_rank"), rs.getString("ses_message_id"),
                        rs.getString("metadata"), instant(rs, "sent_at"), instant(rs, "delivered_at"),
                        instant(rs, "bounced_at"), instant(rs, "complained_at")), batchId);
    }

    private static List<String> eventIds(String batchId) {
        return stack.jdbc().queryForList("SELECT id || ' ' || type FROM event WHERE batch_id = ? ORDER BY id",
                String.class, batchId);
    }

    private static Map<String, Object> batch(String batchId) {
        return stack.jdbc().queryForMap("""
                SELECT status, total, chunk_count, from_address, subject, tags::text AS tags,
                       completed_at IS NOT NULL AS completed
                FROM batch WHERE id = ?""", batchId);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static MessageContent message() {
        return new MessageContent("Acme <news@acme.example>", null, "Hello {{name}}", "<p>Hi</p>", "Hi",
                Map.of(), Map.of("campaign", "nov"), null, false);
    }

    private static void sendCommand(BatchCommand c) {
        stack.send(topics.batchCommands.name(), c.batchId(),
                topics.batchCommands.valueSerde().serializer().serialize(topics.batchCommands.name(), c));
    }

    private static void sendEvent(DeliveryEvent e) {
        stack.send(topics.deliveryEvents.name(), e.sendId(),
                topics.deliveryEvents.valueSerde().serializer().serialize(topics.deliveryEvents.name(), e));
    }

    private static DeliveryEvent sent(String batchId, int index, String email) {
        String sendId = Ids.sendId(batchId, index);
        return new DeliveryEvent(Ids.pipelineEventId(sendId, EventType.SENT), EventType.SENT, sendId, batchId, "acme",
                index, email, T_SENT, "ses-" + index, null, Map.of());
    }

    private static DeliveryEvent ses(String batchId, int index, String email, EventType type, String sesType,
            Instant at) {
        String sendId = Ids.sendId(batchId, index);
        // SES events carry the index only through the send id (null here, as the intake may leave it)
        return new DeliveryEvent(Ids.sesEventId("ses-" + index, sesType, email), type, sendId, batchId, "acme",
                null, email, at, "ses-" + index, null, Map.of());
    }

    @Test
    void shouldProjectChunksAndEventsToExactRowsDespiteDuplicatesAndLateDelivery() {
        // Given a batch of 3 recipients in 2 chunks
        String b = "batch-" + UUID.randomUUID();
        sendCommand(BatchCommand.submitChunk(b, "acme", 0, 2, 0, 3, message(), List.of(
                new RecipientEntry("ann@example.com", Map.of("name", "Ann"), Map.of("crm", "1")),
                new RecipientEntry("bob@example.com", Map.of("name", "Bob"), Map.of("crm", "2"))), CREATED));
        sendCommand(BatchCommand.submitChunk(b, "acme", 1, 2, 2, 3, message(), List.of(
                new RecipientEntry("cat@example.com", Map.of("name", "Cat"), Map.of())), CREATED));
        // When all three are sent; Ann is delivered then complains; Bob bounces (twice: a duplicate)
        // and a Delivery for him arrives after the Bounce; Cat soft-bounces
        sendEvent(sent(b, 0, "ann@example.com"));
        sendEvent(sent(b, 1, "bob@example.com"));
        sendEvent(sent(b, 2, "cat@example.com"));
        sendEvent(ses(b, 0, "ann@example.com", EventType.DELIVERED, "Delivery", T_DELIVERED));
        sendEvent(ses(b, 1, "bob@example.com", EventType.BOUNCED, "Bounce", T_BOUNCED));
        sendEvent(ses(b, 1, "bob@example.com", EventType.BOUNCED, "Bounce", T_BOUNCED));
        sendEvent(ses(b, 1, "bob@example.com", EventType.DELIVERED, "Delivery", T_LATE_DELIVERY));
        sendEvent(ses(b, 2, "cat@example.com", EventType.SOFT_BOUNCED, "Bounce", T_BOUNCED));
        sendEvent(ses(b, 0, "ann@example.com", EventType.COMPLAINED, "Complaint", T_COMPLAINED));
        sendEvent(sent(b, 2, "cat@example.com")); // redelivered pipeline outcome
        stack.awaitProjectorCaughtUp();

        // Then each recipient holds its furthest state and every milestone it reached
        assertThat(recipients(b)).containsExactly(
                new RecipientRow(b + "-0", 0, "ann@example.com", "COMPLAINED", 3, "ses-0", "{\"crm\": \"1\"}",
                        T_SENT, T_DELIVERED, null, T_COMPLAINED),
                // the late Delivery does not undo the Bounce; SES did report it, so delivered_at is kept
                new RecipientRow(b + "-1", 1, "bob@example.com", "BOUNCED", 3, "ses-1", "{\"crm\": \"2\"}",
                        T_SENT, T_LATE_DELIVERY, T_BOUNCED, null),
                // a soft bounce is an event, not a state
                new RecipientRow(b + "-2", 2, "cat@example.com", "SENT", 1, "ses-2", "{}",
                        T_SENT, null, null, null));
        // and one event row per distinct event id
        assertThat(eventIds(b)).containsExactlyInAnyOrder(
                b + "-0:SENT SENT", b + "-1:SENT SENT", b + "-2:SENT SENT",
                "ses-0:Delivery:ann@example.com DELIVERED", "ses-0:Complaint:ann@example.com COMPLAINED",
                "ses-1:Bounce:bob@example.com BOUNCED", "ses-1:Delivery:bob@example.com DELIVERED",
                "ses-2:Bounce:cat@example.com SOFT_BOUNCED");
        // and the batch is complete: every recipient was handed to SES
        assertThat(batch(b)).isEqualTo(Map.of("status", "COMPLETED", "total", 3, "chunk_count", 2,
                "from_address", "Acme <news@acme.example>", "subject", "Hello {{name}}",
                "tags", "{\"campaign\": \"nov\"}", "completed", true));
    }

    @Test
    void shouldCreateRecipientFromAnEventThatArrivesBeforeItsChunk() {
        // Given a delivery for a recipient whose chunk has not been projected yet
        String b = "batch-" + UUID.randomUUID();
        sendEvent(ses(b, 0, "dan@example.com", EventType.DELIVERED, "Delivery", T_DELIVERED));
        stack.awaitProjectorCaughtUp();
        assertThat(recipients(b)).containsExactly(new RecipientRow(b + "-0", 0, "dan@example.com", "DELIVERED", 2,
                "ses-0", null, null, T_DELIVERED, null, null));
        // When the chunk arrives
        sendCommand(BatchCommand.submitChunk(b, "acme", 0, 1, 0, 2, message(), List.of(
                new RecipientEntry("dan@example.com", Map.of(), Map.of("crm", "9")),
                new RecipientEntry("eve@example.com", Map.of(), Map.of())), CREATED));
        stack.awaitProjectorCaughtUp();
        // Then the early row keeps its state and gains its metadata; the batch is still processing
        assertThat(recipients(b)).containsExactly(
                new RecipientRow(b + "-0", 0, "dan@example.com", "DELIVERED", 2, "ses-0", "{\"crm\": \"9\"}",
                        null, T_DELIVERED, null, null),
                new RecipientRow(b + "-1", 1, "eve@example.com", "QUEUED", 0, null, "{}", null, null, null, null));
        assertThat(batch(b)).containsEntry("status", "PROCESSING").containsEntry("completed", false);
    }

    @Test
    void shouldShowAScheduledBatchAsScheduledUntilItsFirstRecipientIsWorkedOn() {
        // Given a batch of 2 due in an hour (the topology holds its chunk until then)
        String b = "batch-" + UUID.randomUUID();
        MessageContent later = new MessageContent("Acme <news@acme.example>", null, "Hello", "<p>Hi</p>", "Hi",
                Map.of(), Map.of(), Instant.now().plusSeconds(3600), false);
        sendCommand(BatchCommand.submitChunk(b, "acme", 0, 1, 0, 2, later, List.of(
                new RecipientEntry("hal@example.com", Map.of(), Map.of()),
                new RecipientEntry("ida@example.com", Map.of(), Map.of())), CREATED));
        stack.awaitProjectorCaughtUp();
        assertThat(batch(b)).containsEntry("status", "SCHEDULED");
        // When it is released and its first recipient is sent
        sendEvent(sent(b, 0, "hal@example.com"));
        stack.awaitProjectorCaughtUp();
        // Then it is PROCESSING, and COMPLETED once the second one is sent too
        assertThat(batch(b)).containsEntry("status", "PROCESSING");
        sendEvent(sent(b, 1, "ida@example.com"));
        stack.awaitProjectorCaughtUp();
        assertThat(batch(b)).containsEntry("status", "COMPLETED").containsEntry("completed", true);
    }

    @Test
    void shouldApplyTerminalPipelineOutcomesOnlyToQueuedRecipients() {
        // Given two queued recipients, the first already sent
        String b = "batch-" + UUID.randomUUID();
        sendCommand(BatchCommand.submitChunk(b, "acme", 0, 1, 0, 2, message(), List.of(
                new RecipientEntry("fay@example.com", Map.of(), Map.of()),
                new RecipientEntry("gus@example.com", Map.of(), Map.of())), CREATED));
        sendEvent(sent(b, 0, "fay@example.com"));
        // When a FAILED arrives for the sent one and SUPPRESSED for the queued one
        String s0 = Ids.sendId(b, 0);
        String s1 = Ids.sendId(b, 1);
        sendEvent(new DeliveryEvent(Ids.pipelineEventId(s0, EventType.FAILED), EventType.FAILED, s0, b, "acme", 0,
                "fay@example.com", T_DELIVERED, null, "late failure", Map.of()));
        sendEvent(new DeliveryEvent(Ids.pipelineEventId(s1, EventType.SUPPRESSED), EventType.SUPPRESSED, s1, b, "acme",
                1, "gus@example.com", T_SENT, null, "BOUNCE", Map.of()));
        stack.awaitProjectorCaughtUp();
        // Then the sent one stays SENT, the queued one is SUPPRESSED, and the batch is complete
        assertThat(recipients(b)).extracting(RecipientRow::status, RecipientRow::rank)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("SENT", 1),
                        org.assertj.core.groups.Tuple.tuple("SUPPRESSED", 5));
        assertThat(batch(b)).containsEntry("status", "COMPLETED");
    }

    @Test
    void shouldShowAReplayedDeadLetterThatWasSentAsSentInRecipientAndCounts() {
        // Given three recipients: one dead-lettered by the dispatcher (FAILED), one SUPPRESSED, one CANCELLED
        String b = "batch-" + UUID.randomUUID();
        sendCommand(BatchCommand.submitChunk(b, "acme", 0, 1, 0, 3, message(), List.of(
                new RecipientEntry("ida@example.com", Map.of(), Map.of()),
                new RecipientEntry("jon@example.com", Map.of(), Map.of()),
                new RecipientEntry("kim@example.com", Map.of(), Map.of())), CREATED));
        sendEvent(outcome(b, 0, "ida@example.com", EventType.FAILED, "ses:dead-lettered:ServiceUnavailable"));
        sendEvent(outcome(b, 1, "jon@example.com", EventType.SUPPRESSED, "suppressed:BOUNCE"));
        sendEvent(outcome(b, 2, "kim@example.com", EventType.CANCELLED, "cancelled"));
        stack.awaitProjectorCaughtUp();
        assertThat(counts(b)).isEqualTo(Map.of("sent", 0L, "failed", 1L, "suppressed", 1L, "cancelled", 1L));

        // When the dead letters are replayed and SES accepts them: SENT for every recipient (the
        // suppressed and cancelled ones only to show that they are not taken back)
        sendEvent(sent(b, 0, "ida@example.com"));
        sendEvent(sent(b, 1, "jon@example.com"));
        sendEvent(sent(b, 2, "kim@example.com"));
        stack.awaitProjectorCaughtUp();

        // Then the failed one is SENT (failed decremented, sent incremented), the others unchanged,
        // and total = queued + suppressed + sent + failed + cancelled still holds with queued 0
        assertThat(recipients(b)).extracting(RecipientRow::status, RecipientRow::rank)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("SENT", 1),
                        org.assertj.core.groups.Tuple.tuple("SUPPRESSED", 5),
                        org.assertj.core.groups.Tuple.tuple("CANCELLED", 5));
        assertThat(counts(b)).isEqualTo(Map.of("sent", 1L, "failed", 0L, "suppressed", 1L, "cancelled", 1L));
        assertThat(batch(b)).containsEntry("status", "COMPLETED").containsEntry("total", 3);
    }

    private static DeliveryEvent outcome(String batchId, int index, String email, EventType type, String reason) {
        String sendId = Ids.sendId(batchId, index);
        return new DeliveryEvent(Ids.pipelineEventId(sendId, type), type, sendId, batchId, "acme", index, email, T_SENT,
                null, reason, Map.of());
    }

    /** The batch's counts as the API computes them from recipient statuses (ingress BatchQueries). */
    private static Map<String, Long> counts(String batchId) {
        return stack.jdbc().queryForObject("""
                SELECT count(*) FILTER (WHERE status IN ('SENT','DELIVERED','BOUNCED','COMPLAINED')) AS sent,
                       count(*) FILTER (WHERE status = 'FAILED') AS failed,
                       count(*) FILTER (WHERE status = 'SUPPRESSED') AS suppressed,
                       count(*) FILTER (WHERE status = 'CANCELLED') AS cancelled
                FROM recipient WHERE batch_id = ?""", (rs, n) -> Map.of("sent", rs.getLong("sent"),
                "failed", rs.getLong("failed"), "suppressed", rs.getLong("suppressed"),
                "cancelled", rs.getLong("cancelled")), batchId);
    }

    @Test
    void shouldMirrorSuppressionsIncludingTombstones() {
        // Given two suppressions, one later removed by a tombstone
        String keep = "keep-" + UUID.randomUUID() + "@example.com";
        String drop = "drop-" + UUID.randomUUID() + "@example.com";
        sendSuppression(new Suppression("acme", keep, Suppression.Reason.COMPLAINT, "ev-1", T_COMPLAINED));
        sendSuppression(new Suppression("acme", drop, Suppression.Reason.BOUNCE, "ev-2", T_BOUNCED));
        stack.send(topics.suppressions.name(), Suppression.key("acme", drop), null);
        stack.awaitProjectorCaughtUp();
        // Then only the kept one is in the table
        assertThat(stack.jdbc().queryForList(
                "SELECT email, reason, source_event_id FROM suppression WHERE email IN (?, ?)", keep, drop))
                .containsExactly(Map.of("email", keep, "reason", "COMPLAINT", "source_event_id", "ev-1"));
    }

    @Test
    void shouldDeadLetterAPoisonRecordAndKeepProjectingThePartition() {
        // Given an unreadable record followed by a valid event under the same key (same partition)
        String b = "batch-" + UUID.randomUUID();
        String sendId = Ids.sendId(b, 0);
        byte[] garbage = ("{not json " + b).getBytes(StandardCharsets.UTF_8);
        try (TopicReader dlt = stack.reader(stack.topics().projectorDlt())) {
            stack.send(topics.deliveryEvents.name(), sendId, garbage);
            sendEvent(sent(b, 0, "hal@example.com"));
            stack.awaitProjectorCaughtUp();
            // Then the valid event is projected and the poison is in the DLT with its reason and origin
            assertThat(recipients(b)).extracting(RecipientRow::status).containsExactly("SENT");
            var dead = dlt.records(r -> sendId.equals(r.key()));
            assertThat(dead).hasSize(1);
            assertThat(dead.get(0).value()).isEqualTo(garbage);
            assertThat(header(dead.get(0), "reason")).isEqualTo("unreadable");
            assertThat(header(dead.get(0), "source-topic")).isEqualTo(topics.deliveryEvents.name());
        }
    }

    private static String header(org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private static void sendSuppression(Suppression s) {
        stack.send(topics.suppressions.name(), s.key(),
                topics.suppressions.valueSerde().serializer().serialize(topics.suppressions.name(), s));
    }
}
