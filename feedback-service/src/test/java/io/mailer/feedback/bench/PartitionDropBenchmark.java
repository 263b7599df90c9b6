package io.mailer.feedback.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.mailer.devstack.EmbeddedPostgresDb;
import io.mailer.feedback.projector.PartitionMaintenance;
import io.mailer.feedback.projector.ProjectionWriter;
import io.mailer.feedback.projector.ProjectorRecord;
import io.mailer.feedback.projector.ViewPartitions;
import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.EventType;
import io.mailer.schemas.events.Ids;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import liquibase.Contexts;
import liquibase.LabelExpression;
import liquibase.Liquibase;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.ClassLoaderResourceAccessor;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * "Drop a day's partition while the projector is writing" (issue 13): a day of
 * {@code bench.rows} recipients + as many events (default 1,000,000 each) past the retention, two
 * writer threads running the real {@link ProjectionWriter} (polls of {@code bench.poll} SENT events
 * of new recipients of today's batch, like the projector's two consumers), then one
 * {@link PartitionMaintenance} run with a retention that makes that day expire. Reports the
 * detach + drop time and the writers' longest write overlapping it against their longest write
 * before. PostgreSQL with durable settings (fsync on), data in a temp folder. Not in the default
 * build (no Test/IT suffix):
 *
 * <pre>
 * ./mvnw -B -ntp -o -q verify -pl feedback-service -am -Dtest=PartitionDropBenchmark \
 *     -Dsurefire.failIfNoSpecifiedTests=false [-Dbench.rows=1000000] [-Dbench.poll=500]
 * </pre>
 */
class PartitionDropBenchmark {

    record Write(long startNanos, long endNanos) {
        long micros() {
            return (endNanos - startNanos) / 1_000;
        }
    }

    @Test
    void dropADayWhileTheProjectorWrites() throws Exception {
        int rows = Integer.getInteger("bench.rows", 1_000_000);
        int poll = Integer.getInteger("bench.poll", 500);
        Path dir = Files.createTempDirectory("mailer-pg-bench-");
        try (EmbeddedPostgresDb db = EmbeddedPostgresDb.start(dir, 0)) {
            migrate(db);
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(db.jdbcUrl());
            config.setUsername(db.username());
            config.setPassword(db.password());
            config.setMaximumPoolSize(6);
            try (HikariDataSource ds = new HikariDataSource(config)) {
                run(ds, rows, poll);
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void run(HikariDataSource ds, int rows, int poll) throws Exception {
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        Instant now = Instant.now();
        Instant old = now.minus(Duration.ofDays(10));
        ViewPartitions keep = new ViewPartitions(jdbc, 30);
        keep.ensure(List.of(ViewPartitions.day(old)));
        long fill = System.nanoTime();
        jdbc.update("INSERT INTO batch_partition VALUES ('bat_old', ?::timestamptz)", old.toString());
        jdbc.update("""
                INSERT INTO recipient (send_id, batch_id, tenant_id, recipient_index, email, status, status_rank,
                                       ses_message_id, metadata, sent_at, batch_at)
                SELECT 'bat_old-' || i, 'bat_old', 'acme', i, 'r' || i || '@example.com', 'DELIVERED', 2, 'ses-old-' || i,
                       jsonb_build_object('crm', i), ?::timestamptz, ?::timestamptz
                  FROM generate_series(0, ? - 1) i""", old.toString(), old.toString(), rows);
        jdbc.update("""
                INSERT INTO event (id, batch_id, send_id, tenant_id, type, email, ses_message_id, occurred_at, batch_at)
                SELECT 'ses-old-' || i || ':Delivery:r' || i || '@example.com', 'bat_old', 'bat_old-' || i, 'acme',
                       'DELIVERED', 'r' || i || '@example.com', 'ses-old-' || i, ?::timestamptz, ?::timestamptz
                  FROM generate_series(0, ? - 1) i""", old.toString(), old.toString(), rows);
        jdbc.execute("VACUUM ANALYZE recipient");
        jdbc.execute("VACUUM ANALYZE event");
        String size = jdbc.queryForObject("SELECT pg_size_pretty(pg_total_relation_size(?::regclass) + pg_total_relation_size(?::regclass))",
                String.class, ViewPartitions.name("recipient", ViewPartitions.day(old)), ViewPartitions.name("event", ViewPartitions.day(old)));
        System.out.printf("PartitionDropBenchmark: filled day %s with %,d recipients + %,d events (%s) in %,d ms%n",
                ViewPartitions.day(old), rows, rows, size, (System.nanoTime() - fill) / 1_000_000);

        // the projector: two writers, polls of new recipients of today's batch
        ProjectionWriter writer = new ProjectionWriter(jdbc, new TransactionTemplate(new DataSourceTransactionManager(ds)),
                new ViewPartitions(jdbc, 30));
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger next = new AtomicInteger();
        List<Write> writes = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            Thread thread = new Thread(() -> {
                while (!stop.get()) {
                    List<ProjectorRecord> records = new ArrayList<>();
                    for (int i = 0; i < poll; i++) {
                        int index = next.getAndIncrement();
                        String sendId = Ids.sendId("bat_new", index);
                        records.add(new ProjectorRecord.EventRecorded(null, new DeliveryEvent(
                                Ids.pipelineEventId(sendId, EventType.SENT), EventType.SENT, sendId, "bat_new", "acme", index,
                                "n" + index + "@example.com", Instant.now(), "ses-new-" + index, null, Map.of()), index));
                    }
                    long start = System.nanoTime();
                    writer.write(records);
                    writes.add(new Write(start, System.nanoTime()));
                }
            }, "bench-writer-" + t);
            thread.start();
            threads.add(thread);
        }
        Thread.sleep(Long.getLong("bench.warmupMillis", 8_000));
        long dropStart = System.nanoTime();
        PartitionMaintenance.Run run = new PartitionMaintenance(ds, new ViewPartitions(jdbc, 5), 7, Duration.ofHours(1)).runOnce();
        long dropEnd = System.nanoTime();
        Thread.sleep(Long.getLong("bench.afterMillis", 4_000));
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }

        List<Write> all = new ArrayList<>(writes);
        List<Long> before = all.stream().filter(w -> w.endNanos() < dropStart).map(Write::micros).sorted().toList();
        List<Long> during = all.stream().filter(w -> w.endNanos() >= dropStart && w.startNanos() <= dropEnd)
                .map(Write::micros).sorted().toList();
        List<Long> after = all.stream().filter(w -> w.startNanos() > dropEnd).map(Write::micros).sorted().toList();
        // the longest time no write completed, within the drop window (a stall shows as a gap)
        long gap = 0;
        long last = dropStart;
        for (Write w : all.stream().filter(w -> w.endNanos() >= dropStart).sorted((a, b) -> Long.compare(a.endNanos(), b.endNanos())).toList()) {
            if (w.endNanos() > dropEnd) {
                gap = Math.max(gap, Math.min(w.endNanos(), dropEnd) - last);
                break;
            }
            gap = Math.max(gap, w.endNanos() - last);
            last = w.endNanos();
        }
        System.out.printf("PartitionDropBenchmark: dropped %s; detach (CONCURRENTLY) + drop %,d ms (job run %,d ms); "
                        + "PostgreSQL %s%n", run.dropped(), run.dropTime().toMillis(), (dropEnd - dropStart) / 1_000_000,
                jdbc.queryForObject("SHOW server_version", String.class));
        System.out.printf("PartitionDropBenchmark: writes of %d events: before the drop n=%d p50 %.1f ms p99 %.1f ms max %.1f ms;"
                        + " overlapping the drop n=%d max %.1f ms; after n=%d max %.1f ms; longest gap between completed writes"
                        + " in the drop window %.1f ms; %,d events written%n",
                poll, before.size(), pct(before, 50), pct(before, 99), pct(before, 100), during.size(), pct(during, 100),
                after.size(), pct(after, 100), gap / 1e6, next.get());
        Long left = jdbc.queryForObject("SELECT count(*) FROM recipient WHERE batch_id = 'bat_old'", Long.class);
        if (left == null || left != 0 || run.dropped().isEmpty()) {
            throw new AssertionError("the old day was not dropped: " + left + " rows left");
        }
    }

    private static double pct(List<Long> sortedMicros, int p) {
        if (sortedMicros.isEmpty()) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p / 100.0 * sortedMicros.size()) - 1;
        return sortedMicros.get(Math.max(0, Math.min(i, sortedMicros.size() - 1))) / 1_000.0;
    }

    private static void migrate(EmbeddedPostgresDb db) throws Exception {
        Database database = DatabaseFactory.getInstance().findCorrectDatabaseImplementation(
                new JdbcConnection(java.sql.DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password())));
        try (Liquibase liquibase = new Liquibase("db/changelog/db.changelog-master.yaml", new ClassLoaderResourceAccessor(),
                database)) {
            liquibase.update(new Contexts(), new LabelExpression());
        }
    }
}
