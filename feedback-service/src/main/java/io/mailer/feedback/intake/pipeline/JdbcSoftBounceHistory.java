package io.mailer.feedback.intake.pipeline;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Soft-bounce history from the projector's {@code event} table (SOFT_BOUNCED rows, deduplicated
 * by event id, index {@code idx_event_tenant_email_type}). No extra store to run or rebuild: the
 * table is itself rebuilt from {@code delivery-events}. It lags the intake by the projector's
 * delay, so a burst of soft bounces processed within that delay can take one more bounce to reach
 * the threshold — acceptable for a policy counted in days.
 */
final class JdbcSoftBounceHistory implements SoftBounceHistory {

    private static final String COUNT = """
            SELECT count(*) FROM event
            WHERE tenant_id = ? AND email = ? AND type = 'SOFT_BOUNCED' AND occurred_at > ? AND occurred_at <= ? AND id <> ?
            """;

    private final JdbcTemplate jdbc;

    public JdbcSoftBounceHistory(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public int count(String tenantId, String email, Instant from, Instant to, String exceptEventId) {
        Integer n = jdbc.queryForObject(COUNT, Integer.class, tenantId, email, utc(from), utc(to), exceptEventId);
        return n == null ? 0 : n;
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
