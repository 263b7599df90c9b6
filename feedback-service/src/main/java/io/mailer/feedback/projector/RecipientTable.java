package io.mailer.feedback.projector;

import io.mailer.schemas.commands.BatchCommand;
import io.mailer.schemas.commands.RecipientEntry;
import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.EventType;
import io.mailer.schemas.events.Ids;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;

/** Writes the {@code recipient} table: rows from chunks, state changes from events. */
final class RecipientTable {

    /**
     * A chunk's recipient starts QUEUED. If an event got there first (events and chunks travel on
     * different topics), the row exists already with its state: only the metadata it lacked is added.
     */
    private static final String INSERT_QUEUED = """
            INSERT INTO recipient AS r (send_id, batch_id, tenant_id, recipient_index, email, status, status_rank,
                                        metadata, updated_at)
            VALUES (?, ?, ?, ?, ?, 'QUEUED', 0, ?::jsonb, now())
            ON CONFLICT (send_id) DO UPDATE SET metadata = EXCLUDED.metadata, updated_at = now()
            WHERE r.metadata IS NULL
            """;

    /**
     * The forward-only state machine of {@link RecipientStatus#canMove}: status, rank and reason
     * change only on a move; milestone timestamps and the SES message id are set once (first
     * value wins), whatever the status, so a Complaint after a Delivery keeps delivered_at.
     * Every SET expression reads the old row ({@code r}), so their order does not matter.
     */
    private static final String APPLY_EVENT = """
            INSERT INTO recipient AS r (send_id, batch_id, tenant_id, recipient_index, email, status, status_rank,
                                        ses_message_id, reason, sent_at, delivered_at, bounced_at, complained_at,
                                        updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now())
            ON CONFLICT (send_id) DO UPDATE SET
                status = CASE WHEN %1$s THEN EXCLUDED.status ELSE r.status END,
                status_rank = CASE WHEN %1$s THEN EXCLUDED.status_rank ELSE r.status_rank END,
                reason = CASE WHEN %1$s THEN EXCLUDED.reason ELSE r.reason END,
                ses_message_id = COALESCE(r.ses_message_id, EXCLUDED.ses_message_id),
                sent_at = COALESCE(r.sent_at, EXCLUDED.sent_at),
                delivered_at = COALESCE(r.delivered_at, EXCLUDED.delivered_at),
                bounced_at = COALESCE(r.bounced_at, EXCLUDED.bounced_at),
                complained_at = COALESCE(r.complained_at, EXCLUDED.complained_at),
                updated_at = now()
            """.formatted("(EXCLUDED.status_rank > r.status_rank AND (EXCLUDED.status_rank < "
            + RecipientStatus.TERMINAL_RANK + " OR r.status_rank = 0))");

    private final JdbcTemplate jdbc;

    RecipientTable(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    void insertQueued(List<BatchCommand> chunks) {
        List<Row> rows = new ArrayList<>();
        for (BatchCommand c : chunks) {
            for (int i = 0; i < c.recipients().size(); i++) {
                RecipientEntry r = c.recipients().get(i);
                int index = c.firstRecipientIndex() + i;
                rows.add(new Row(Ids.sendId(c.batchId(), index), c, index, r));
            }
        }
        // a stable lock order across concurrent consumers avoids deadlocks
        rows.sort(Comparator.comparing(Row::sendId));
        jdbc.batchUpdate(INSERT_QUEUED, rows, 1000, (ps, row) -> {
            ps.setString(1, row.sendId());
            ps.setString(2, row.command().batchId());
            ps.setString(3, row.command().tenantId());
            ps.setInt(4, row.index());
            ps.setString(5, row.entry().email());
            ps.setString(6, Sql.json(row.entry().metadata()));
        });
    }

    void applyEvents(List<ProjectorRecord.EventRecorded> events) {
        List<ProjectorRecord.EventRecorded> sorted = new ArrayList<>(events);
        sorted.sort(Comparator.comparing((ProjectorRecord.EventRecorded e) -> e.event().sendId()));
        jdbc.batchUpdate(APPLY_EVENT, sorted, 1000, (ps, recorded) -> {
            DeliveryEvent e = recorded.event();
            RecipientStatus status = RecipientStatus.of(e.type());
            ps.setString(1, e.sendId());
            ps.setString(2, e.batchId());
            ps.setString(3, e.tenantId());
            ps.setInt(4, recorded.recipientIndex());
            ps.setString(5, e.email());
            ps.setString(6, status.name());
            ps.setInt(7, status.rank());
            ps.setString(8, e.sesMessageId());
            ps.setString(9, status == RecipientStatus.QUEUED ? null : e.reason());
            ps.setObject(10, milestone(e, EventType.SENT), Sql.TIMESTAMPTZ);
            ps.setObject(11, milestone(e, EventType.DELIVERED), Sql.TIMESTAMPTZ);
            ps.setObject(12, milestone(e, EventType.BOUNCED), Sql.TIMESTAMPTZ);
            ps.setObject(13, milestone(e, EventType.COMPLAINED), Sql.TIMESTAMPTZ);
        });
    }

    private static Object milestone(DeliveryEvent e, EventType milestone) {
        Instant at = e.type() == milestone ? e.occurredAt() : null;
        return Sql.ts(at);
    }

    private record Row(String sendId, BatchCommand command, int index, RecipientEntry entry) {
    }
}
