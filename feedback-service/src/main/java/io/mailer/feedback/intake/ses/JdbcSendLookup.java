package io.mailer.feedback.intake.ses;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Looks the SES message id up in the projector's {@code recipient} table (indexed by
 * {@code ses_message_id}), which the dispatcher's SENT events fill. Chosen over an in-service
 * cache of SENT records: it survives restarts, is shared by every replica and costs no extra
 * consumer. If nothing is found while the message is younger than {@code grace} the SENT event
 * may still be on its way through the projector, so the SQS message is retried; after that the
 * notification is not Mailer's and is quarantined as unmappable.
 */
public final class JdbcSendLookup implements SendLookup {

    private static final String QUERY = """
            SELECT send_id, batch_id, tenant_id, recipient_index FROM recipient WHERE ses_message_id = ? LIMIT 1
            """;

    private final JdbcTemplate jdbc;
    private final Duration grace;
    private final Clock clock;

    public JdbcSendLookup(JdbcTemplate jdbc, Duration grace, Clock clock) {
        this.jdbc = jdbc;
        this.grace = grace;
        this.clock = clock;
    }

    @Override
    public Result bySesMessageId(String sesMessageId, Instant mailTimestamp) {
        List<Correlation> found = jdbc.query(QUERY, (rs, n) -> new Correlation(rs.getString("send_id"),
                rs.getString("batch_id"), rs.getString("tenant_id"), rs.getInt("recipient_index")), sesMessageId);
        if (!found.isEmpty()) {
            return new Result.Found(found.get(0));
        }
        if (mailTimestamp != null && mailTimestamp.isAfter(clock.instant().minus(grace))) {
            return new Result.Pending("no SENT record for SES message " + sesMessageId + " yet");
        }
        return Result.NOT_FOUND;
    }
}
