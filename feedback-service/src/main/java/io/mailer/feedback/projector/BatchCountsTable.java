package io.mailer.feedback.projector;

import java.sql.PreparedStatement;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Adds a transaction's counter changes to {@code batch_counts}: one statement, rows in batch id
 * order, so two transactions lock counter rows in the same order. Run under the batch locks
 * ({@link BatchTable#lockForCompletion}), so a counter row is held only from there to the commit,
 * as the batch rows are, and the completion check that follows sees every committed change.
 */
final class BatchCountsTable {

    private static final String ADD = """
            INSERT INTO batch_counts AS c (batch_id, %1$s)
            SELECT * FROM unnest(?::text[], %2$s) AS u(batch_id, %1$s) ORDER BY batch_id
            ON CONFLICT (batch_id) DO UPDATE SET %3$s
            """.formatted(String.join(", ", CountFlags.COLUMNS),
            CountFlags.COLUMNS.stream().map(c -> "?::int4[]").collect(Collectors.joining(", ")),
            CountFlags.COLUMNS.stream().map(c -> c + " = c." + c + " + EXCLUDED." + c).collect(Collectors.joining(", ")));

    private final JdbcTemplate jdbc;

    BatchCountsTable(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    void add(CountDeltas deltas) {
        Map<String, int[]> rows = deltas.nonZero();
        if (rows.isEmpty()) {
            return;
        }
        String[] ids = rows.keySet().toArray(String[]::new);
        int columns = CountFlags.COLUMNS.size();
        Integer[][] values = new Integer[columns][ids.length];
        int r = 0;
        for (int[] delta : rows.values()) {
            for (int c = 0; c < columns; c++) {
                values[c][r] = delta[c];
            }
            r++;
        }
        jdbc.update(con -> {
            PreparedStatement ps = con.prepareStatement(ADD);
            ps.setArray(1, Sql.texts(con, ids));
            for (int c = 0; c < columns; c++) {
                ps.setArray(c + 2, Sql.ints(con, values[c]));
            }
            return ps;
        });
    }
}
