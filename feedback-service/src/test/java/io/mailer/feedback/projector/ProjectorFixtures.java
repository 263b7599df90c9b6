package io.mailer.feedback.projector;

import io.mailer.feedback.support.FeedbackStack;
import io.mailer.schemas.commands.BatchCommand;
import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.commands.RecipientEntry;
import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.EventType;
import io.mailer.schemas.events.Ids;
import io.mailer.schemas.kafka.Topics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Chunks, events and per-status counts of whole batches, for the projector's counting tests. */
final class ProjectorFixtures {

    static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");

    private final FeedbackStack stack;
    private final Topics topics;

    ProjectorFixtures(FeedbackStack stack) {
        this.stack = stack;
        this.topics = stack.topics().topics();
    }

    static String email(int index) {
        return "r" + index + "@example.com";
    }

    /** The SUBMIT_CHUNK commands of a batch of {@code total} recipients in chunks of {@code chunkSize}. */
    static List<BatchCommand.SubmitChunk> chunks(String batchId, int total, int chunkSize) {
        List<BatchCommand.SubmitChunk> out = new ArrayList<>();
        int chunkCount = (total + chunkSize - 1) / chunkSize;
        for (int c = 0; c < chunkCount; c++) {
            List<RecipientEntry> recipients = new ArrayList<>();
            for (int i = c * chunkSize; i < Math.min(total, (c + 1) * chunkSize); i++) {
                recipients.add(new RecipientEntry(email(i), Map.of(), Map.of("i", Integer.toString(i))));
            }
            out.add(BatchCommand.submitChunk(batchId, "acme", c, chunkCount, c * chunkSize, total,
                    new MessageContent("a@acme.example", null, "s", "h", "t", Map.of(), Map.of(), null, false),
                    recipients, T0));
        }
        return out;
    }

    /** A pipeline (SENT, SUPPRESSED, CANCELLED, FAILED) or SES event of recipient {@code index}. */
    static DeliveryEvent event(String batchId, int index, EventType type, int secondsAfterT0) {
        String sendId = Ids.sendId(batchId, index);
        boolean pipeline = type == EventType.SENT || type == EventType.SUPPRESSED || type == EventType.CANCELLED
                || type == EventType.FAILED;
        String eventId = pipeline ? Ids.pipelineEventId(sendId, type)
                : Ids.sesEventId("ses-" + sendId, type.name(), email(index));
        return new DeliveryEvent(eventId, type, sendId, batchId, "acme", index, email(index),
                T0.plusSeconds(secondsAfterT0), type == EventType.SUPPRESSED || type == EventType.CANCELLED
                        || type == EventType.FAILED ? null : "ses-" + sendId, null, Map.of());
    }

    void send(BatchCommand c) {
        stack.flush(); // commands and events travel on different topics: keep the test's order visible
        stack.sendNoWait(topics.batchCommands.name(), c.batchId(),
                topics.batchCommands.valueSerde().serializer().serialize(topics.batchCommands.name(), c));
    }

    void send(DeliveryEvent e) {
        stack.sendNoWait(topics.deliveryEvents.name(), e.sendId(),
                topics.deliveryEvents.valueSerde().serializer().serialize(topics.deliveryEvents.name(), e));
    }

    void flush() {
        stack.flush();
    }

    /** Recipient count per status of a batch, statuses sorted. */
    Map<String, Integer> statusCounts(String batchId) {
        Map<String, Integer> out = new TreeMap<>();
        stack.jdbc().query("SELECT status, count(*) AS n FROM recipient WHERE batch_id = ? GROUP BY status",
                rs -> {
                    out.put(rs.getString("status"), rs.getInt("n"));
                }, batchId);
        return out;
    }

    int eventRows(String batchId) {
        Integer n = stack.jdbc().queryForObject("SELECT count(*) FROM event WHERE batch_id = ?", Integer.class, batchId);
        return n == null ? 0 : n;
    }

    Map<String, Object> batch(String batchId) {
        return stack.jdbc().queryForMap("SELECT status, total, completed_at IS NOT NULL AS completed FROM batch WHERE id = ?",
                batchId);
    }
}
