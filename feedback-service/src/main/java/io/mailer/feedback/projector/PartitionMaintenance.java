package io.mailer.feedback.projector;

import io.mailer.platform.jobs.AdvisoryLock;
import io.mailer.platform.jobs.PeriodicJob;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The view tables' retention job: at start and then every {@code interval}, on one instance at a
 * time (a session-level PostgreSQL advisory lock; another instance that finds it taken skips the
 * run), it
 * <ol>
 * <li>creates the daily partitions of today .. today + {@code daysAhead} ({@link ViewPartitions#createAhead}),
 * <li>detaches (CONCURRENTLY) and drops the partitions older than {@code VIEW_RETENTION_DAYS}
 * ({@link ViewPartitions#dropExpired}),
 * <li>deletes the {@code dead_letter_replay} claims older than the same retention,
 * <li>deletes the {@code batch}, {@code batch_counts} and {@code batch_partition} rows of batches
 * created more than {@code BATCH_RETENTION_DAYS} ago, {@link #BATCH_CHUNK} batches per transaction.
 * </ol>
 * Batch rows outlive their recipients and events ({@code BATCH_RETENTION_DAYS} ≥
 * {@code VIEW_RETENTION_DAYS}): {@code GET /batches/{id}} still answers (status and counts) for a
 * batch whose rows were dropped, for as long as an operator chooses, but not for ever.
 */
public final class PartitionMaintenance {

    private static final String LOCK = "mailer.view-partitions.maintenance";
    private static final Logger log = LoggerFactory.getLogger(PartitionMaintenance.class);

    /** What one run did; {@code ran} is false when another instance held the lock. */
    public record Run(boolean ran, List<LocalDate> created, List<LocalDate> dropped, int replayClaimsDeleted,
            Duration dropTime, long batchesDeleted) {
    }

    public static final int DEFAULT_BATCH_RETENTION_DAYS = 400;
    static final int BATCH_CHUNK = 1_000;
    /** One chunk of expired batches, with their counters and partition rows, in one statement. */
    private static final String DELETE_BATCHES = """
            WITH old AS (SELECT id FROM batch WHERE created_at < now() - make_interval(days => ?) LIMIT ?),
                 counts AS (DELETE FROM batch_counts WHERE batch_id IN (SELECT id FROM old)),
                 parts AS (DELETE FROM batch_partition WHERE batch_id IN (SELECT id FROM old))
            DELETE FROM batch WHERE id IN (SELECT id FROM old)""";
    /** Batches known only from events (no batch row) still have a partition row. */
    private static final String DELETE_ORPHAN_PARTITIONS = """
            DELETE FROM batch_partition p WHERE p.batch_at < now() - make_interval(days => ?)
               AND NOT EXISTS (SELECT 1 FROM batch b WHERE b.id = p.batch_id)""";

    private final DataSource dataSource;
    private final JdbcTemplate jdbc;
    private final ViewPartitions partitions;
    private final int daysAhead;
    private final int batchRetentionDays;
    private final PeriodicJob job;
    private final Counter dropped;
    private final Counter failures;
    private final Timer dropTimer;

    public PartitionMaintenance(DataSource dataSource, ViewPartitions partitions, int daysAhead, Duration interval) {
        this(dataSource, partitions, daysAhead, interval, new SimpleMeterRegistry());
    }

    public PartitionMaintenance(DataSource dataSource, ViewPartitions partitions, int daysAhead, Duration interval,
            MeterRegistry registry) {
        this(dataSource, partitions, daysAhead, interval, Math.max(DEFAULT_BATCH_RETENTION_DAYS, partitions.retentionDays()),
                registry);
    }

    public PartitionMaintenance(DataSource dataSource, ViewPartitions partitions, int daysAhead, Duration interval,
            int batchRetentionDays, MeterRegistry registry) {
        if (batchRetentionDays < partitions.retentionDays()) {
            throw new IllegalArgumentException("BATCH_RETENTION_DAYS (" + batchRetentionDays
                    + ") must be at least VIEW_RETENTION_DAYS (" + partitions.retentionDays() + ")");
        }
        this.batchRetentionDays = batchRetentionDays;
        this.dropped = Counter.builder("mailer.projector.partitions.dropped")
                .description("days of view partitions (recipient + event) dropped past VIEW_RETENTION_DAYS").register(registry);
        this.failures = Counter.builder("mailer.projector.partition.maintenance.failures")
                .description("view partition maintenance runs that failed (retried next interval)").register(registry);
        this.dropTimer = Timer.builder("mailer.projector.partition.drop")
                .description("time of one run's DETACH CONCURRENTLY + DROP of the expired days").register(registry);
        this.dataSource = dataSource;
        this.jdbc = new JdbcTemplate(dataSource);
        this.partitions = partitions;
        this.daysAhead = daysAhead;
        this.job = new PeriodicJob("view-partitions", Duration.ZERO, interval, this::runOnce, e -> {
            failures.increment();
            // the projector still creates the partitions it needs on demand; try again next time
            log.warn("View partition maintenance failed; retrying in {}", interval, e);
        });
    }

    /** One run (also called by tests and the benchmark). */
    public Run runOnce() {
        return AdvisoryLock.tryRun(dataSource, LOCK, this::maintain).orElseGet(() -> {
            log.debug("View partition maintenance runs on another instance");
            return new Run(false, List.of(), List.of(), 0, Duration.ZERO, 0);
        });
    }

    private Run maintain() {
        List<LocalDate> created = partitions.createAhead(daysAhead);
        long start = System.nanoTime();
        List<LocalDate> dropped = partitions.dropExpired();
        Duration dropTime = Duration.ofNanos(System.nanoTime() - start);
        if (!dropped.isEmpty()) {
            this.dropped.increment(dropped.size());
            dropTimer.record(dropTime);
        }
        int claims = jdbc.update("DELETE FROM dead_letter_replay WHERE replayed_at < now() - make_interval(days => ?)",
                partitions.retentionDays());
        long batches = deleteExpiredBatches();
        if (!created.isEmpty() || !dropped.isEmpty() || claims > 0 || batches > 0) {
            log.info("View partitions: created {}, dropped {} in {} ms, {} dead-letter replay claims deleted,"
                    + " {} batches older than {} days deleted", created, dropped, dropTime.toMillis(), claims, batches,
                    batchRetentionDays);
        }
        return new Run(true, created, dropped, claims, dropTime, batches);
    }

    private long deleteExpiredBatches() {
        long deleted = 0;
        int n;
        do {
            n = jdbc.update(DELETE_BATCHES, batchRetentionDays, BATCH_CHUNK);
            deleted += n;
        } while (n == BATCH_CHUNK);
        jdbc.update(DELETE_ORPHAN_PARTITIONS, batchRetentionDays);
        return deleted;
    }

    /** The schedule, a bean of its own (a SmartLifecycle): started with the context, stopped with it. */
    public PeriodicJob schedule() {
        return job;
    }
}
