package io.mailer.feedback.projector;

import io.mailer.schemas.events.Suppression;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;

/** Writes the {@code suppression} table, a mirror of the compacted topic (last record per key wins). */
final class SuppressionTable {

    private static final String UPSERT = """
            INSERT INTO suppression (tenant_id, email, reason, source_event_id, created_at)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (tenant_id, email) DO UPDATE SET
                reason = EXCLUDED.reason,
                source_event_id = EXCLUDED.source_event_id,
                created_at = EXCLUDED.created_at
            """;

    private static final String DELETE = "DELETE FROM suppression WHERE tenant_id = ? AND email = ?";

    private final JdbcTemplate jdbc;

    SuppressionTable(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    void upsert(List<Suppression> suppressions) {
        jdbc.batchUpdate(UPSERT, suppressions, 1000, (ps, s) -> {
            ps.setString(1, s.tenantId());
            ps.setString(2, s.email());
            ps.setString(3, s.reason().name());
            ps.setString(4, s.sourceEventId());
            ps.setObject(5, Sql.ts(s.createdAt()), Sql.TIMESTAMPTZ);
        });
    }

    void delete(List<String[]> tenantAndEmail) {
        jdbc.batchUpdate(DELETE, tenantAndEmail, 1000, (ps, k) -> {
            ps.setString(1, k[0]);
            ps.setString(2, k[1]);
        });
    }
}
