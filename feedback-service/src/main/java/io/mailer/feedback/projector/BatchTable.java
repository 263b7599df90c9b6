package io.mailer.feedback.projector;

import io.mailer.schemas.commands.BatchCommand;
import io.mailer.schemas.commands.MessageContent;
import java.util.Collection;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;

/** Writes the {@code batch} table. */
final class BatchTable {

    /**
     * Every chunk carries the same batch fields, so the upsert is idempotent. A new batch is
     * SCHEDULED while its {@code send_at} lies ahead (the topology holds its chunks until then) and
     * PROCESSING otherwise (the topology fans it out at once); a row that is ACCEPTED (written
     * ahead by another component) moves the same way; SCHEDULED, COMPLETED and CANCELLED are kept
     * — a scheduled batch turns PROCESSING with its first pipeline event ({@link #START}).
     */
    private static final String UPSERT = """
            INSERT INTO batch AS b (id, tenant_id, status, total, chunk_count, from_address, subject, tags,
                                    send_at, created_at, updated_at)
            VALUES (?, ?, CASE WHEN ?::timestamptz > now() THEN 'SCHEDULED' ELSE 'PROCESSING' END,
                    ?, ?, ?, ?, ?::jsonb, ?, ?, now())
            ON CONFLICT (id) DO UPDATE SET
                total = EXCLUDED.total,
                chunk_count = EXCLUDED.chunk_count,
                from_address = EXCLUDED.from_address,
                subject = EXCLUDED.subject,
                tags = EXCLUDED.tags,
                send_at = EXCLUDED.send_at,
                created_at = LEAST(b.created_at, EXCLUDED.created_at),
                status = CASE WHEN b.status = 'ACCEPTED' THEN EXCLUDED.status ELSE b.status END,
                updated_at = now()
            """;

    /**
     * A cancel before any chunk still leaves a row. A completed batch stays completed (the cancel
     * came too late) unless some of its recipients were cancelled: then the cancel was in time for
     * them, and only its command, on another topic than their events, was projected after them.
     */
    private static final String CANCEL = """
            INSERT INTO batch AS b (id, tenant_id, status, created_at, updated_at)
            VALUES (?, ?, 'CANCELLED', ?, now())
            ON CONFLICT (id) DO UPDATE SET
                status = CASE WHEN b.status = 'COMPLETED' AND NOT %1$s THEN b.status ELSE 'CANCELLED' END,
                completed_at = CASE WHEN b.status = 'COMPLETED' AND NOT %1$s THEN b.completed_at END,
                updated_at = now()
            """.formatted("EXISTS (SELECT 1 FROM batch_counts c WHERE c.batch_id = b.id AND c.cancelled > 0)");

    /**
     * A batch is COMPLETED when every one of its {@code total} recipients has left QUEUED: handed
     * to SES (SENT or any later state) or settled without sending (SUPPRESSED, FAILED, CANCELLED).
     * Later SES outcomes (delivery, bounce, complaint) keep arriving for hours or days and are
     * not waited for; they still update the recipient rows and counts. The recipients that left
     * QUEUED are read from the counters (one row, not a count over up to a million recipients):
     * every non-QUEUED status is in exactly one of suppressed, sent, failed, cancelled.
     */
    private static final String COMPLETE = """
            UPDATE batch b SET status = 'COMPLETED', completed_at = now(), updated_at = now()
            WHERE b.id = ANY (?)
              AND b.status IN ('ACCEPTED', 'SCHEDULED', 'PROCESSING')
              AND COALESCE((SELECT c.suppressed + c.sent + c.failed + c.cancelled FROM batch_counts c
                            WHERE c.batch_id = b.id), 0) >= b.total
            """;

    /**
     * Transaction-scoped advisory locks on the touched batches, taken in one global order before
     * any batch row is written and held until commit (recipient and event rows are written
     * before, in parallel with other consumers). Without them two projector transactions that each settle half of a
     * batch's last recipients both count under READ COMMITTED, neither sees the other's
     * uncommitted half, and the batch stays PROCESSING forever (write skew). With them the
     * second one waits, and its completion check sees the first's commit. A hash collision
     * only serialises two unrelated batches.
     */
    private static final String LOCK = """
            SELECT count(pg_advisory_xact_lock(k)) FROM (
                SELECT DISTINCT hashtextextended(x, 0) AS k FROM unnest(?::text[]) AS x ORDER BY k) locks
            """;

    /** A pipeline event (sent, suppressed, ...) shows the batch's recipients are being worked on. */
    private static final String START = """
            UPDATE batch SET status = 'PROCESSING', updated_at = now()
            WHERE id = ANY (?) AND status IN ('ACCEPTED', 'SCHEDULED')
            """;

    private final JdbcTemplate jdbc;

    BatchTable(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    void upsert(List<BatchCommand.SubmitChunk> chunks) {
        jdbc.batchUpdate(UPSERT, chunks, 500, (ps, c) -> {
            MessageContent m = c.message();
            Object sendAt = m == null ? null : Sql.ts(m.sendAt());
            ps.setString(1, c.batchId());
            ps.setString(2, c.tenantId());
            ps.setObject(3, sendAt, Sql.TIMESTAMPTZ);
            ps.setInt(4, c.totalRecipients());
            ps.setInt(5, c.chunkCount() == null ? 1 : c.chunkCount());
            ps.setString(6, m == null ? null : m.from());
            ps.setString(7, m == null ? null : m.subject());
            ps.setString(8, m == null ? null : Sql.json(m.tags()));
            ps.setObject(9, sendAt, Sql.TIMESTAMPTZ);
            ps.setObject(10, Sql.ts(c.createdAt()), Sql.TIMESTAMPTZ);
        });
    }

    void cancel(List<BatchCommand.Cancel> cancels) {
        jdbc.batchUpdate(CANCEL, cancels, 500, (ps, c) -> {
            ps.setString(1, c.batchId());
            ps.setString(2, c.tenantId());
            ps.setObject(3, Sql.ts(c.createdAt()), Sql.TIMESTAMPTZ);
        });
    }

    void lockForCompletion(Collection<String> batchIds) {
        if (batchIds.isEmpty()) {
            return;
        }
        jdbc.query(con -> {
            var ps = con.prepareStatement(LOCK);
            ps.setArray(1, con.createArrayOf("text", batchIds.toArray()));
            return ps;
        }, rs -> null);
    }

    void start(Collection<String> batchIds) {
        if (!batchIds.isEmpty()) {
            jdbc.update(con -> {
                var ps = con.prepareStatement(START);
                ps.setArray(1, con.createArrayOf("text", batchIds.stream().sorted().toArray()));
                return ps;
            });
        }
    }

    int completeFinished(Collection<String> batchIds) {
        if (batchIds.isEmpty()) {
            return 0;
        }
        return jdbc.update(con -> {
            var ps = con.prepareStatement(COMPLETE);
            ps.setArray(1, con.createArrayOf("text", batchIds.stream().sorted().toArray()));
            return ps;
        });
    }
}
