package io.mailer.feedback.projector;

import io.mailer.schemas.events.DeliveryEvent;
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
        // in the order of INSERT's unnest parameters
        UnnestColumns columns = new UnnestColumns(n);
        String[] id = columns.text();
        String[] batchId = columns.text();
        String[] sendId = columns.text();
        String[] tenantId = columns.text();
        String[] type = columns.text();
        String[] email = columns.text();
        String[] sesMessageId = columns.text();
        String[] reason = columns.text();
        String[] details = columns.text();
        String[] occurredAt = columns.text();
        String[] batchAtColumn = columns.text();
        for (int i = 0; i < n; i++) {
            DeliveryEvent e = events.get(i).event();
            id[i] = e.eventId();
            batchId[i] = e.batchId();
            sendId[i] = e.sendId();
            tenantId[i] = e.tenantId();
            type[i] = e.type().name();
            email[i] = e.email();
            sesMessageId[i] = e.sesMessageId();
            reason[i] = e.reason();
            details[i] = Sql.json(e.details());
            occurredAt[i] = Sql.text(e.occurredAt());
            batchAtColumn[i] = Sql.text(batchAt.get(e.batchId()));
        }
        jdbc.update(con -> columns.bind(con, con.prepareStatement(INSERT)));
    }
}
