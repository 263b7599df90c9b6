package io.mailer.feedback.projector;

import io.mailer.schemas.events.DeliveryEvent;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Writes the {@code event} table: append-only, deduplicated by the deterministic event id.
 *
 * <p>One statement per poll: the rows travel as column arrays through {@code unnest}, which costs
 * PostgreSQL (and the driver) a fraction of a JDBC batch of single-row INSERTs — one parse, bind
 * and executor start instead of one per row. Duplicate ids within the arrays are harmless with
 * {@code DO NOTHING}. The table is partitioned by {@code batch_at}, the batch's partition time
 * ({@link BatchPartitionTable}): the same for every delivery of an event, so {@code (id, batch_at)}
 * deduplicates exactly as {@code id} did.
 */
final class EventTable {

    private static final String INSERT = """
            INSERT INTO event (id, batch_id, send_id, tenant_id, type, email, ses_message_id, reason, details,
                               occurred_at, batch_at)
            SELECT u.id, u.batch_id, u.send_id, u.tenant_id, u.type, u.email, u.ses_message_id, u.reason,
                   u.details::jsonb, u.occurred_at::timestamptz, u.batch_at::timestamptz
            FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                        ?::text[], ?::text[], ?::text[])
                 AS u(id, batch_id, send_id, tenant_id, type, email, ses_message_id, reason, details, occurred_at,
                      batch_at)
            ON CONFLICT (id, batch_at) DO NOTHING
            """;

    private final JdbcTemplate jdbc;

    EventTable(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    void insert(List<ProjectorRecord.EventRecorded> events, Map<String, Instant> batchAt) {
        int n = events.size();
        String[][] columns = new String[11][n];
        for (int i = 0; i < n; i++) {
            DeliveryEvent e = events.get(i).event();
            columns[0][i] = e.eventId();
            columns[1][i] = e.batchId();
            columns[2][i] = e.sendId();
            columns[3][i] = e.tenantId();
            columns[4][i] = e.type().name();
            columns[5][i] = e.email();
            columns[6][i] = e.sesMessageId();
            columns[7][i] = e.reason();
            columns[8][i] = Sql.json(e.details());
            columns[9][i] = Sql.text(e.occurredAt());
            columns[10][i] = Sql.text(batchAt.get(e.batchId()));
        }
        jdbc.update(con -> {
            PreparedStatement ps = con.prepareStatement(INSERT);
            for (int c = 0; c < columns.length; c++) {
                ps.setArray(c + 1, Sql.texts(con, columns[c]));
            }
            return ps;
        });
    }
}
