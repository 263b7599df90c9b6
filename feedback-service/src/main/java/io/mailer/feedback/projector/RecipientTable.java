package io.mailer.feedback.projector;

import io.mailer.schemas.commands.BatchCommand;
import io.mailer.schemas.commands.RecipientEntry;
import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.EventType;
import io.mailer.schemas.events.Ids;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.time.Instant;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Writes the {@code recipient} table: rows from chunks, state changes from events. The table is
 * partitioned by {@code batch_at}, the batch's partition time ({@link BatchPartitionTable}), which
 * every write of a send carries, so {@code (send_id, batch_at)} is the upsert key {@code send_id} was.
 */
final class RecipientTable {

    /**
     * A chunk's recipient starts QUEUED. If an event got there first (events and chunks travel on
     * different topics), the row exists already with its state: only the metadata it lacked is added.
     */
    private static final String INSERT_QUEUED = """
            INSERT INTO recipient AS r (send_id, batch_id, tenant_id, recipient_index, email, status, status_rank,
                                        metadata, updated_at, batch_at)
            VALUES (?, ?, ?, ?, ?, 'QUEUED', 0, ?::jsonb, now(), ?)
            ON CONFLICT (send_id, batch_at) DO UPDATE SET metadata = EXCLUDED.metadata, updated_at = now()
            WHERE r.metadata IS NULL
            """;

    /**
     * The state machine of {@link RecipientStatus#canMove} (forward only, plus FAILED -> SENT for a
     * replayed dead letter): status, rank and reason
     * change only on a move; milestone timestamps and the SES message id are set once (first
     * value wins), whatever the status, so a Complaint after a Delivery keeps delivered_at.
     * Every SET expression reads the old row ({@code r}), so their order does not matter; that is
     * how {@code prev_count_flags} keeps the old row's counter bits for RETURNING, which sees only
     * the new row (a new row had none). ON CONFLICT locks and reads the latest committed version,
     * so the before/after pair is exact even when another consumer wrote the row meanwhile.
     */
    private static final String APPLY_EVENT = """
            INSERT INTO recipient AS r (send_id, batch_id, tenant_id, recipient_index, email, status, status_rank,
                                        ses_message_id, reason, sent_at, delivered_at, bounced_at, complained_at,
                                        prev_count_flags, updated_at, batch_at)
            SELECT u.send_id, u.batch_id, u.tenant_id, u.recipient_index, u.email, u.status, u.status_rank,
                   u.ses_message_id, u.reason, u.sent_at::timestamptz, u.delivered_at::timestamptz,
                   u.bounced_at::timestamptz, u.complained_at::timestamptz, 0, now(), u.batch_at::timestamptz
            FROM unnest(?::text[], ?::text[], ?::text[], ?::int4[], ?::text[], ?::text[], ?::int4[], ?::text[],
                        ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
                 AS u(send_id, batch_id, tenant_id, recipient_index, email, status, status_rank, ses_message_id,
                      reason, sent_at, delivered_at, bounced_at, complained_at, batch_at)
            ON CONFLICT (send_id, batch_at) DO UPDATE SET
                status = CASE WHEN %1$s THEN EXCLUDED.status ELSE r.status END,
                status_rank = CASE WHEN %1$s THEN EXCLUDED.status_rank ELSE r.status_rank END,
                reason = CASE WHEN %1$s THEN EXCLUDED.reason ELSE r.reason END,
                ses_message_id = COALESCE(r.ses_message_id, EXCLUDED.ses_message_id),
                sent_at = COALESCE(r.sent_at, EXCLUDED.sent_at),
                delivered_at = COALESCE(r.delivered_at, EXCLUDED.delivered_at),
                bounced_at = COALESCE(r.bounced_at, EXCLUDED.bounced_at),
                complained_at = COALESCE(r.complained_at, EXCLUDED.complained_at),
                prev_count_flags = %2$s,
                updated_at = now()
            RETURNING r.batch_id, r.prev_count_flags, %2$s AS count_flags
            """.formatted("((EXCLUDED.status_rank > r.status_rank AND (EXCLUDED.status_rank < "
            + RecipientStatus.TERMINAL_RANK + " OR r.status_rank = 0))"
            + " OR (r.status = 'FAILED' AND EXCLUDED.status = 'SENT'))", CountFlags.of("r"));

    private final JdbcTemplate jdbc;

    RecipientTable(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    void insertQueued(List<BatchCommand.SubmitChunk> chunks, Map<String, Instant> batchAt) {
        List<Row> rows = new ArrayList<>();
        for (BatchCommand.SubmitChunk c : chunks) {
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
            ps.setObject(7, Sql.ts(batchAt.get(row.command().batchId())), Sql.TIMESTAMPTZ);
        });
    }

    /**
     * One statement per round, the rows as column arrays through {@code unnest} (see
     * {@link EventTable}). A statement may not upsert the same row twice, so a poll holding
     * several events of one recipient is written in rounds — the first event of each recipient,
     * then the second... — which applies them in their record order, as one statement per event did.
     */
    CountDeltas applyEvents(List<ProjectorRecord.EventRecorded> events, Map<String, Instant> batchAt) {
        List<ProjectorRecord.EventRecorded> sorted = new ArrayList<>(events);
        // a stable lock order across concurrent consumers avoids deadlocks (the sort is stable:
        // one recipient's events keep their record order)
        sorted.sort(Comparator.comparing((ProjectorRecord.EventRecorded e) -> e.event().sendId()));
        List<List<ProjectorRecord.EventRecorded>> rounds = new ArrayList<>();
        String previous = null;
        int round = 0;
        for (ProjectorRecord.EventRecorded e : sorted) {
            round = e.event().sendId().equals(previous) ? round + 1 : 0;
            previous = e.event().sendId();
            if (rounds.size() == round) {
                rounds.add(new ArrayList<>());
            }
            rounds.get(round).add(e);
        }
        CountDeltas deltas = new CountDeltas();
        for (List<ProjectorRecord.EventRecorded> r : rounds) {
            applyRound(r, batchAt, deltas);
        }
        return deltas;
    }

    /** Applies one round and adds each recipient's counter change (bits before → after) to {@code deltas}. */
    private void applyRound(List<ProjectorRecord.EventRecorded> events, Map<String, Instant> batchAt,
            CountDeltas deltas) {
        int n = events.size();
        // in the order of APPLY_EVENT's unnest parameters
        UnnestColumns columns = new UnnestColumns(n);
        String[] sendId = columns.text();
        String[] batchId = columns.text();
        String[] tenantId = columns.text();
        Integer[] recipientIndex = columns.int4();
        String[] email = columns.text();
        String[] status = columns.text();
        Integer[] statusRank = columns.int4();
        String[] sesMessageId = columns.text();
        String[] reason = columns.text();
        String[] sentAt = columns.text();
        String[] deliveredAt = columns.text();
        String[] bouncedAt = columns.text();
        String[] complainedAt = columns.text();
        String[] batchAtColumn = columns.text();
        for (int i = 0; i < n; i++) {
            DeliveryEvent e = events.get(i).event();
            RecipientStatus s = RecipientStatus.of(e.type());
            sendId[i] = e.sendId();
            batchId[i] = e.batchId();
            tenantId[i] = e.tenantId();
            recipientIndex[i] = events.get(i).recipientIndex();
            email[i] = e.email();
            status[i] = s.name();
            statusRank[i] = s.rank();
            sesMessageId[i] = e.sesMessageId();
            reason[i] = s == RecipientStatus.QUEUED ? null : e.reason();
            sentAt[i] = milestone(e, EventType.SENT);
            deliveredAt[i] = milestone(e, EventType.DELIVERED);
            bouncedAt[i] = milestone(e, EventType.BOUNCED);
            complainedAt[i] = milestone(e, EventType.COMPLAINED);
            batchAtColumn[i] = Sql.text(batchAt.get(e.batchId()));
        }
        jdbc.query(con -> columns.bind(con, con.prepareStatement(APPLY_EVENT)), (java.sql.ResultSet rs) -> {
            deltas.add(rs.getString(1), rs.getInt(2), rs.getInt(3));
        });
    }

    private static String milestone(DeliveryEvent e, EventType milestone) {
        return e.type() == milestone ? Sql.text(e.occurredAt()) : null;
    }

    private record Row(String sendId, BatchCommand.SubmitChunk command, int index, RecipientEntry entry) {
    }
}
