package io.mailer.feedback.projector;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import liquibase.Contexts;
import liquibase.LabelExpression;
import liquibase.Liquibase;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.ClassLoaderResourceAccessor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * Changeset 011-view-partitions on a populated database: changesets 001..010, several thousand
 * recipient and event rows of batches created over several days (and one batch known only from its
 * rows, as when an event is projected before its chunk), then 011. Every row is still there with
 * every column, the ingress's reads by batch id answer the same pages, each row sits in the
 * partition of its batch's day, and those reads still use the indexes. Another PostgreSQL:
 * {@code -Dpg.server=jdbc:postgresql://localhost:5432/ -Dpg.user=postgres} ({@link ScratchDatabase}).
 */
class PartitionMigrationIntegrationTest {

    /** BatchDetailQueries.recipients, as the ingress runs it (positional parameters). */
    static final String RECIPIENTS_PAGE = "SELECT recipient_index, send_id, email, status, ses_message_id, reason,"
            + " metadata::text AS metadata, updated_at FROM recipient WHERE batch_id = ? AND tenant_id = ?"
            + " AND recipient_index > ? ORDER BY recipient_index LIMIT ?";
    static final String RECIPIENTS_STATUS_PAGE = "SELECT recipient_index, send_id, email, status FROM recipient"
            + " WHERE batch_id = ? AND tenant_id = ? AND recipient_index > ? AND status = ? ORDER BY recipient_index LIMIT ?";
    /** BatchDetailQueries.events. */
    static final String EVENTS_PAGE = "SELECT id, type, send_id, email, occurred_at, ses_message_id, reason,"
            + " details::text AS details FROM event WHERE batch_id = ? AND tenant_id = ? AND (occurred_at, id) > (?::timestamptz, ?)"
            + " ORDER BY occurred_at, id LIMIT ?";
    static final String EVENTS_TYPE_PAGE = "SELECT id, type, send_id, occurred_at FROM event WHERE batch_id = ? AND tenant_id = ?"
            + " AND type = ? ORDER BY occurred_at, id LIMIT ?";
    static final String RECIPIENT_DUMP = "SELECT send_id, batch_id, tenant_id, recipient_index, email, status, status_rank,"
            + " ses_message_id, metadata::text, reason, sent_at, delivered_at, bounced_at, complained_at, updated_at,"
            + " prev_count_flags FROM recipient ORDER BY send_id";
    static final String EVENT_DUMP = "SELECT id, batch_id, send_id, tenant_id, type, email, ses_message_id, reason,"
            + " details::text, occurred_at, created_at FROM event ORDER BY id";

    static final int DAYS = 6;
    static final int PER_BATCH = 1_200;

    private static ScratchDatabase db;
    private static Connection connection;
    private static JdbcTemplate jdbc;

    @BeforeAll
    static void start() throws Exception {
        db = ScratchDatabase.create();
        connection = db.connect();
        jdbc = new JdbcTemplate(new SingleConnectionDataSource(connection, true));
    }

    @AfterAll
    static void stop() throws Exception {
        connection.close();
        db.close();
    }

    /** Liquibase on its own connection (closing Liquibase closes it). */
    static void migrate(ScratchDatabase db, String changelog) throws Exception {
        Connection c = db.connect();
        Database database = DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(c));
        try (Liquibase liquibase = new Liquibase(changelog, new ClassLoaderResourceAccessor(), database)) {
            liquibase.update(new Contexts(), new LabelExpression());
        }
    }

    /**
     * Batches created at noon UTC 0..DAYS-1 days ago (one per day, the oldest two on the same day),
     * each with PER_BATCH recipients in every status and 1-3 events per recipient spread over the
     * following days; one batch ("orphan") has events and recipient rows but no batch row.
     */
    static List<String> populate(JdbcTemplate jdbc) {
        List<String> batches = new ArrayList<>();
        for (int d = 0; d <= DAYS; d++) {
            String id = "bat_mig" + d;
            int daysAgo = Math.min(d, DAYS - 1);
            batches.add(id);
            if (d < DAYS) {
                jdbc.update("""
                        INSERT INTO batch (id, tenant_id, status, total, chunk_count, created_at)
                        VALUES (?, 'acme', 'PROCESSING', ?, 1, date_trunc('day', now()) - make_interval(days => ?) + interval '12 hours')""",
                        id, PER_BATCH, daysAgo);
            }
            jdbc.update("""
                    INSERT INTO recipient (send_id, batch_id, tenant_id, recipient_index, email, status, status_rank,
                                           ses_message_id, metadata, reason, sent_at, delivered_at, updated_at, prev_count_flags)
                    SELECT ? || '-' || i, ?, 'acme', i, 'r' || i || '@example.com',
                           (ARRAY['QUEUED','SENT','DELIVERED','BOUNCED','SUPPRESSED','FAILED'])[1 + i % 6],
                           (ARRAY[0,1,2,3,5,5])[1 + i % 6],
                           CASE WHEN i % 6 IN (1,2,3) THEN 'ses-' || ? || '-' || i END,
                           CASE WHEN i % 3 = 0 THEN jsonb_build_object('crm', i) END,
                           CASE WHEN i % 6 = 5 THEN 'boom ' || i END,
                           CASE WHEN i % 6 IN (1,2,3) THEN base + interval '1 hour' END,
                           CASE WHEN i % 6 = 2 THEN base + make_interval(days => i % 3) END,
                           base + make_interval(days => i % 4), i % 7
                      FROM generate_series(0, ? - 1) AS i,
                           (SELECT date_trunc('day', now()) - make_interval(days => ?) + interval '12 hours' AS base) b""",
                    id, id, id, PER_BATCH, daysAgo);
            jdbc.update("""
                    INSERT INTO event (id, batch_id, send_id, tenant_id, type, email, ses_message_id, reason, details,
                                       occurred_at, created_at)
                    SELECT ? || '-' || i || ':' || t.type, ?, ? || '-' || i, 'acme', t.type, 'r' || i || '@example.com',
                           'ses-' || ? || '-' || i, CASE WHEN t.type = 'BOUNCED' THEN 'Permanent/General' END,
                           jsonb_build_object('n', i), base + make_interval(days => t.n, secs => i),
                           base + make_interval(days => t.n, secs => i + 1)
                      FROM generate_series(0, ? - 1) AS i,
                           (SELECT date_trunc('day', now()) - make_interval(days => ?) + interval '12 hours' AS base) b,
                           (VALUES ('SENT', 0), ('DELIVERED', 1), ('BOUNCED', 2)) AS t(type, n)
                     WHERE t.n <= i % 3""",
                    id, id, id, id, PER_BATCH, daysAgo);
        }
        jdbc.execute("ANALYZE");
        return batches;
    }

    /** What the ingress answers for a batch: several pages of recipients and events, with and without filters. */
    static List<Object> ingressReads(JdbcTemplate jdbc, String batchId) {
        List<Object> out = new ArrayList<>();
        for (int after : new int[] {-1, 99, 700, 1_150}) {
            out.add(jdbc.queryForList(RECIPIENTS_PAGE, batchId, "acme", after, 101));
            out.add(jdbc.queryForList(RECIPIENTS_STATUS_PAGE, batchId, "acme", after, "DELIVERED", 51));
        }
        out.add(jdbc.queryForList(RECIPIENTS_PAGE, batchId, "other-tenant", -1, 101));
        List<Map<String, Object>> first = jdbc.queryForList(EVENTS_PAGE, batchId, "acme", "-infinity", "", 101);
        out.add(first);
        if (!first.isEmpty()) {
            Map<String, Object> last = first.get(first.size() - 1);
            out.add(jdbc.queryForList(EVENTS_PAGE, batchId, "acme", last.get("occurred_at").toString(), last.get("id"), 101));
        }
        out.add(jdbc.queryForList(EVENTS_TYPE_PAGE, batchId, "acme", "BOUNCED", 101));
        return out;
    }

    @Test
    void shouldKeepEveryRowAndEveryIngressAnswerThroughThePartitioning() throws Exception {
        migrate(db, "db/changelog-up-to-010.yaml");
        List<String> batches = populate(jdbc);
        List<Map<String, Object>> recipientsBefore = jdbc.queryForList(RECIPIENT_DUMP);
        List<Map<String, Object>> eventsBefore = jdbc.queryForList(EVENT_DUMP);
        assertThat(recipientsBefore).hasSize((DAYS + 1) * PER_BATCH);
        assertThat(eventsBefore.size()).isGreaterThan(10_000);
        List<List<Object>> readsBefore = batches.stream().map(b -> ingressReads(jdbc, b)).toList();

        migrate(db, "db/changelog/db.changelog-master.yaml");

        assertThat(jdbc.queryForObject("SELECT relkind::text FROM pg_class WHERE relname = 'recipient'", String.class))
                .as("recipient is partitioned").isEqualTo("p");
        assertThat(jdbc.queryForObject("SELECT relkind::text FROM pg_class WHERE relname = 'event'", String.class))
                .as("event is partitioned").isEqualTo("p");
        assertThat(jdbc.queryForList(RECIPIENT_DUMP)).isEqualTo(recipientsBefore);
        assertThat(jdbc.queryForList(EVENT_DUMP)).isEqualTo(eventsBefore);
        assertThat(batches.stream().map(b -> ingressReads(jdbc, b)).toList()).isEqualTo(readsBefore);

        // a partition per day from the oldest batch to 7 days ahead, each row in its batch's day
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        ViewPartitions partitions = new ViewPartitions(jdbc, 90);
        for (String table : ViewPartitions.TABLES) {
            List<LocalDate> expected = today.minusDays(DAYS - 1).datesUntil(today.plusDays(8)).toList();
            assertThat(partitions.days(table)).as(table + " partitions").isEqualTo(expected);
            assertThat(jdbc.queryForObject("""
                    SELECT count(*) FROM %1$s x JOIN batch_partition k ON k.batch_id = x.batch_id
                     WHERE x.batch_at = k.batch_at
                       AND x.tableoid::regclass::text = '%1$s_p' || to_char(k.batch_at AT TIME ZONE 'UTC', 'YYYYMMDD')
                    """.formatted(table), Long.class))
                    .as(table + " rows in the partition of their batch's day")
                    .isEqualTo(table.equals("recipient") ? (long) recipientsBefore.size() : (long) eventsBefore.size());
        }
        assertThat(jdbc.queryForObject("SELECT batch_at FROM batch_partition WHERE batch_id = 'bat_mig0'", java.time.OffsetDateTime.class)
                .toInstant()).isEqualTo(jdbc.queryForObject("SELECT created_at FROM batch WHERE id = 'bat_mig0'",
                        java.time.OffsetDateTime.class).toInstant());
        assertThat(jdbc.queryForObject("SELECT count(*) FROM batch_partition", Integer.class)).isEqualTo(DAYS + 1);

        // the ingress's reads by batch id still use the indexes of every partition
        for (String plan : List.of(
                explain(RECIPIENTS_PAGE.replaceFirst("\\?", "'bat_mig3'").replaceFirst("\\?", "'acme'")
                        .replaceFirst("\\?", "-1").replaceFirst("\\?", "101")),
                explain(EVENTS_PAGE.replaceFirst("\\?", "'bat_mig3'").replaceFirst("\\?", "'acme'")
                        .replaceFirst("\\?", "'-infinity'").replaceFirst("\\?", "''").replaceFirst("\\?", "101")),
                explain("SELECT status FROM recipient WHERE send_id = 'bat_mig3-17'"),
                explain("SELECT id FROM event WHERE send_id = 'bat_mig3-17'"))) {
            System.out.println(plan);
            assertThat(plan).contains("Index Scan");
            // the only sequential scans allowed are of the empty partitions ahead (0 pages: nothing to read)
            assertThat(plan.lines().filter(l -> l.contains("Seq Scan")).toList()).allMatch(l -> l.contains("cost=0.00..0.00"));
        }
        // where the batch's partition time is known, run-time pruning reads one partition only
        String pruned = explain("(ANALYZE, COSTS OFF) SELECT status FROM recipient WHERE send_id = 'bat_mig3-17' AND batch_at ="
                + " (SELECT batch_at FROM batch_partition WHERE batch_id = 'bat_mig3')");
        System.out.println(pruned);
        assertThat(pruned).contains("Index Scan");
        assertThat(pruned.lines().filter(l -> l.contains("Scan") && !l.contains("never executed")
                && l.contains(" on recipient_p")).count()).as("partitions read").isEqualTo(1);
        // the projector's ON CONFLICT targets exist: (send_id, batch_at) and (id, batch_at)
        assertThat(jdbc.queryForList("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid IN"
                + " ('recipient'::regclass, 'event'::regclass) AND contype = 'p' ORDER BY 1", String.class))
                .containsExactly("PRIMARY KEY (id, batch_at)", "PRIMARY KEY (send_id, batch_at)");
    }

    private static String explain(String sql) {
        return String.join("\n", jdbc.queryForList("EXPLAIN " + sql, String.class));
    }
}
