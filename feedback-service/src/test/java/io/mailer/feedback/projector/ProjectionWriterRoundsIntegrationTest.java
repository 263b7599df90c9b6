package io.mailer.feedback.projector;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.feedback.support.FeedbackStack;
import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.EventType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The projector writes a poll's events as one array statement per table. A statement may not
 * upsert one recipient twice, so a poll holding several events of one recipient goes in rounds.
 * The rows must come out exactly as if every event had been written on its own, in record order.
 */
class ProjectionWriterRoundsIntegrationTest {

    /** Per recipient index, its events in record order (two polls' worth of edge cases). */
    private static final List<List<EventType>> HISTORIES = List.of(
            List.of(EventType.SENT, EventType.DELIVERED, EventType.COMPLAINED, EventType.DELIVERED),
            List.of(EventType.SENT, EventType.BOUNCED, EventType.DELIVERED),
            List.of(EventType.DELIVERED, EventType.SENT),
            List.of(EventType.SENT, EventType.SOFT_BOUNCED, EventType.SOFT_BOUNCED, EventType.DELIVERED),
            List.of(EventType.SUPPRESSED, EventType.SENT),
            List.of(EventType.DELIVERED));

    @Test
    void shouldLeaveTheSameRowsAsWritingEachEventOnItsOwn() {
        JdbcTemplate jdbc = FeedbackStack.get().jdbc();
        ProjectionWriter writer = new ProjectionWriter(jdbc,
                new TransactionTemplate(new DataSourceTransactionManager(jdbc.getDataSource())));
        String run = "rounds-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        String together = run + "poll";
        String oneByOne = run + "single";
        for (String b : List.of(together, oneByOne)) {
            writer.write(List.of(new ProjectorRecord.ChunkSubmitted(null,
                    ProjectorFixtures.chunks(b, HISTORIES.size(), HISTORIES.size()).get(0))));
        }

        // When one batch gets every event in one poll, interleaved across recipients (and the
        // whole poll twice, as after a redelivery), the other one event per poll
        List<ProjectorRecord> poll = new ArrayList<>();
        for (int step = 0; step < 4; step++) {
            for (int i = 0; i < HISTORIES.size(); i++) {
                if (step < HISTORIES.get(i).size()) {
                    poll.add(recorded(together, i, HISTORIES.get(i).get(step), step));
                    writer.write(List.of(recorded(oneByOne, i, HISTORIES.get(i).get(step), step)));
                }
            }
        }
        writer.write(poll);
        writer.write(poll);

        // Then both batches have the same recipient rows and the same events, each once
        assertThat(rows(jdbc, together)).isEqualTo(rows(jdbc, oneByOne)).hasSize(HISTORIES.size());
        assertThat(rows(jdbc, together).get(0)).containsEntry("status", "COMPLAINED");
        assertThat(rows(jdbc, together).get(1)).containsEntry("status", "BOUNCED");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM event WHERE batch_id = ?", Integer.class, together))
                .isEqualTo(jdbc.queryForObject("SELECT count(*) FROM event WHERE batch_id = ?", Integer.class,
                        oneByOne))
                .isEqualTo(HISTORIES.stream().mapToInt(h -> (int) h.stream().distinct().count()).sum());
    }

    private static ProjectorRecord.EventRecorded recorded(String batchId, int index, EventType type, int step) {
        DeliveryEvent e = ProjectorFixtures.event(batchId, index, type, 10 * (step + 1));
        return new ProjectorRecord.EventRecorded(null, e, index);
    }

    private static List<Map<String, Object>> rows(JdbcTemplate jdbc, String batchId) {
        return jdbc.queryForList("""
                SELECT recipient_index, status, status_rank, reason, ses_message_id is not null AS has_ses_id,
                       sent_at - b.t0 AS sent, delivered_at - b.t0 AS delivered, bounced_at - b.t0 AS bounced,
                       complained_at - b.t0 AS complained
                FROM recipient, (SELECT timestamptz '2026-11-20T10:00:00Z' AS t0) b
                WHERE batch_id = ? ORDER BY recipient_index
                """, batchId);
    }
}
