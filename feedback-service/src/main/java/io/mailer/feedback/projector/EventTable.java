package io.mailer.feedback.projector;

import io.mailer.schemas.events.DeliveryEvent;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;

/** Writes the {@code event} table: append-only, deduplicated by the deterministic event id. */
final class EventTable {

    private static final String INSERT = """
            INSERT INTO event (id, batch_id, send_id, tenant_id, type, email, ses_message_id, reason, details,
                               occurred_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?)
            ON CONFLICT (id) DO NOTHING
            """;

    private final JdbcTemplate jdbc;

    EventTable(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    void insert(List<ProjectorRecord.EventRecorded> events) {
        jdbc.batchUpdate(INSERT, events, 1000, (ps, recorded) -> {
            DeliveryEvent e = recorded.event();
            ps.setString(1, e.eventId());
            ps.setString(2, e.batchId());
            ps.setString(3, e.sendId());
            ps.setString(4, e.tenantId());
            ps.setString(5, e.type().name());
            ps.setString(6, e.email());
            ps.setString(7, e.sesMessageId());
            ps.setString(8, e.reason());
            ps.setString(9, Sql.json(e.details()));
            ps.setObject(10, Sql.ts(e.occurredAt()), Sql.TIMESTAMPTZ);
        });
    }
}
