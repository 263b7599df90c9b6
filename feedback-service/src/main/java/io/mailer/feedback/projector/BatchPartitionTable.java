package io.mailer.feedback.projector;

import java.sql.PreparedStatement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@code batch_partition}: the partition time ({@code batch_at}) of each batch's recipient and event
 * rows, fixed by the first write that sees the batch — its chunk's {@code createdAt}, or the time of
 * an event projected before any chunk — and read by every later write. The primary keys of
 * {@code recipient} (send id, batch_at) and {@code event} (event id, batch_at) therefore stay
 * deterministic per send and per event, so redeliveries and replays still hit the same row.
 *
 * <p>Resolved before the projector's transaction, in autocommit statements: an existing batch costs
 * one indexed read; a new one an {@code INSERT ... ON CONFLICT DO NOTHING} (the loser of a race between
 * two consumers waits for the winner's commit, a few milliseconds, then reads its value) — no lock
 * is held into the projector's transaction.
 */
final class BatchPartitionTable {

    private static final String SELECT = "SELECT batch_id, batch_at FROM batch_partition WHERE batch_id = ANY (?)";
    private static final String INSERT = """
            INSERT INTO batch_partition (batch_id, batch_at)
            SELECT u.batch_id, u.batch_at::timestamptz FROM unnest(?::text[], ?::text[]) AS u(batch_id, batch_at)
            ORDER BY u.batch_id
            ON CONFLICT (batch_id) DO NOTHING
            """;

    private final JdbcTemplate jdbc;

    BatchPartitionTable(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** The stored batch_at of each batch; a batch without one gets its candidate first. */
    Map<String, Instant> resolve(Map<String, Instant> candidates) {
        Map<String, Instant> keys = read(candidates.keySet().toArray(String[]::new));
        if (keys.size() < candidates.size()) {
            Map<String, Instant> missing = new TreeMap<>();
            candidates.forEach((id, at) -> {
                if (!keys.containsKey(id)) {
                    missing.put(id, at);
                }
            });
            String[] ids = missing.keySet().toArray(String[]::new);
            String[] ats = missing.values().stream().map(Instant::toString).toArray(String[]::new);
            jdbc.update(con -> {
                PreparedStatement ps = con.prepareStatement(INSERT);
                ps.setArray(1, Sql.texts(con, ids));
                ps.setArray(2, Sql.texts(con, ats));
                return ps;
            });
            keys.putAll(read(ids));
        }
        return keys;
    }

    private Map<String, Instant> read(String[] ids) {
        Map<String, Instant> keys = new HashMap<>();
        jdbc.query(con -> {
            PreparedStatement ps = con.prepareStatement(SELECT);
            ps.setArray(1, Sql.texts(con, ids));
            return ps;
        }, (java.sql.ResultSet rs) -> {
            keys.put(rs.getString(1), rs.getObject(2, OffsetDateTime.class).toInstant());
        });
        return keys;
    }
}
