package io.mailer.feedback.projector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailer.schemas.commands.BatchCommand;
import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.commands.RecipientEntry;
import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.EventType;
import io.mailer.schemas.events.Ids;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * VIEW_RETENTION_DAYS on a database of its own (the shared stack's rows stay untouched): the
 * maintenance job drops whole days past the retention and nothing newer, keeps partitions ahead,
 * prunes old dead-letter replay claims, keeps the batch rows and counters, runs on one instance at a
 * time; the projector writes no rows for a dropped day and keeps one row per send and per event
 * whatever the days its records carry.
 */
class ViewRetentionIntegrationTest {

    private static ScratchDatabase db;
    private static DriverManagerDataSource dataSource;
    private static JdbcTemplate jdbc;
    private static TransactionTemplate tx;
    private static final Instant NOW = Instant.now();
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @BeforeAll
    static void start() throws Exception {
        db = ScratchDatabase.create();
        PartitionMigrationIntegrationTest.migrate(db, "db/changelog/db.changelog-master.yaml");
        dataSource = new DriverManagerDataSource(db.jdbcUrl(), db.username(), db.password());
        jdbc = new JdbcTemplate(dataSource);
        tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    }

    @AfterAll
    static void stop() {
        db.close();
    }

    static BatchCommand.SubmitChunk chunk(String batchId, int size, Instant createdAt) {
        List<RecipientEntry> recipients = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            recipients.add(new RecipientEntry("r" + i + "@example.com", Map.of(), Map.of()));
        }
        return BatchCommand.submitChunk(batchId, "acme", 0, 1, 0, size,
                new MessageContent("a@acme.example", null, "s", "h", "t", Map.of(), Map.of(), null, false),
                recipients, createdAt);
    }

    static DeliveryEvent event(String batchId, int index, EventType type, Instant at) {
        String sendId = Ids.sendId(batchId, index);
        return new DeliveryEvent(type == EventType.SENT ? Ids.pipelineEventId(sendId, type)
                : Ids.sesEventId("ses-" + sendId, type.name(), "r" + index + "@example.com"), type, sendId, batchId,
                "acme", index, "r" + index + "@example.com", at, "ses-" + sendId, null, Map.of());
    }

    static List<ProjectorRecord> batch(String batchId, int size, Instant createdAt) {
        List<ProjectorRecord> out = new ArrayList<>();
        out.add(new ProjectorRecord.ChunkSubmitted(null, chunk(batchId, size, createdAt)));
        for (int i = 0; i < size; i++) {
            out.add(new ProjectorRecord.EventRecorded(null, event(batchId, i, EventType.SENT, createdAt.plusSeconds(60)), i));
        }
        return out;
    }

    private static long count(String sql, Object... args) {
        Long n = jdbc.queryForObject(sql, Long.class, args);
        return n == null ? 0 : n;
    }

    @Test
    void shouldDropWholeDaysPastTheRetentionAndNothingNewer() {
        ProjectionWriter keepAll = new ProjectionWriter(jdbc, tx, new ViewPartitions(jdbc, 30, CLOCK));
        int[] ages = {10, 5, 3, 1, 0};
        for (int age : ages) {
            keepAll.write(batch("bat_ret" + age, 40, NOW.minus(Duration.ofDays(age))));
        }
        jdbc.update("INSERT INTO dead_letter_replay (topic, dlt_partition, dlt_offset, send_id, tenant_id, batch_id, replayed_at)"
                + " VALUES ('sends-dlt', 0, 1, 'bat_ret10-0', 'acme', 'bat_ret10', now() - interval '10 days'),"
                + " ('sends-dlt', 0, 2, 'bat_ret0-0', 'acme', 'bat_ret0', now())");
        LocalDate today = LocalDate.ofInstant(NOW, ZoneOffset.UTC);

        ViewPartitions threeDays = new ViewPartitions(jdbc, 3, CLOCK);
        var registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        PartitionMaintenance.Run run = new PartitionMaintenance(dataSource, threeDays, 7, Duration.ofHours(1), registry).runOnce();
        assertThat(registry.counter("mailer.projector.partitions.dropped").count()).isEqualTo(2.0);

        assertThat(run.ran()).isTrue();
        // days before (now - 3 days) hold only rows older than the retention; the day of now - 3 days is kept
        assertThat(run.dropped()).containsExactly(today.minusDays(10), today.minusDays(5));
        for (int age : ages) {
            long expected = age > 3 ? 0 : 40;
            assertThat(count("SELECT count(*) FROM recipient WHERE batch_id = ?", "bat_ret" + age)).as("recipients, age " + age)
                    .isEqualTo(expected);
            assertThat(count("SELECT count(*) FROM event WHERE batch_id = ?", "bat_ret" + age)).as("events, age " + age)
                    .isEqualTo(expected);
            // the batch and its counters stay: GET /batches/{id} still answers
            assertThat(count("SELECT count(*) FROM batch WHERE id = ?", "bat_ret" + age)).isEqualTo(1);
            assertThat(count("SELECT sent FROM batch_counts WHERE batch_id = ?", "bat_ret" + age)).isEqualTo(40);
        }
        for (String table : ViewPartitions.TABLES) {
            assertThat(threeDays.days(table)).as(table + " partitions")
                    .doesNotContain(today.minusDays(10), today.minusDays(5))
                    .contains(today.minusDays(3), today.minusDays(1))
                    .containsAll(today.datesUntil(today.plusDays(8)).toList());
        }
        assertThat(jdbc.queryForList("SELECT dlt_offset FROM dead_letter_replay", Long.class)).containsExactly(2L);

        // a late event of a dropped day: no row, no partition resurrected
        new ProjectionWriter(jdbc, tx, threeDays).write(List.of(new ProjectorRecord.EventRecorded(null,
                event("bat_ret10", 1, EventType.DELIVERED, NOW), 1)));
        assertThat(count("SELECT count(*) FROM event WHERE batch_id = 'bat_ret10'")).isZero();
        assertThat(threeDays.days("event")).doesNotContain(today.minusDays(10));

        // a second run finds nothing more to do
        PartitionMaintenance.Run again = new PartitionMaintenance(dataSource, threeDays, 7, Duration.ofHours(1)).runOnce();
        assertThat(again.dropped()).isEmpty();
        assertThat(again.created()).isEmpty();
    }

    @Test
    void shouldDeleteBatchesOlderThanTheBatchRetentionWithTheirCountersInChunks() {
        // Given more expired batches than one chunk, one just inside the retention, and an event-only batch's partition row
        int expired = PartitionMaintenance.BATCH_CHUNK * 2 + 7;
        jdbc.update("""
                INSERT INTO batch (id, tenant_id, status, total, created_at)
                SELECT 'bat_old' || i, 'acme', 'COMPLETED', 1, now() - interval '401 days' FROM generate_series(1, ?) i""", expired);
        jdbc.update("INSERT INTO batch_counts (batch_id, sent) SELECT id, 1 FROM batch WHERE id LIKE 'bat_old%'");
        jdbc.update("INSERT INTO batch_partition (batch_id, batch_at) SELECT id, created_at FROM batch WHERE id LIKE 'bat_old%'");
        jdbc.update("INSERT INTO batch (id, tenant_id, status, total, created_at)"
                + " VALUES ('bat_kept399', 'acme', 'COMPLETED', 1, now() - interval '399 days')");
        jdbc.update("INSERT INTO batch_counts (batch_id, sent) VALUES ('bat_kept399', 1)");
        jdbc.update("INSERT INTO batch_partition (batch_id, batch_at) VALUES ('bat_orphan', now() - interval '401 days'),"
                + " ('bat_kept399', now() - interval '399 days')");

        // When maintenance runs with a batch retention of 400 days (and a view retention of 90)
        PartitionMaintenance.Run run = new PartitionMaintenance(dataSource, new ViewPartitions(jdbc, 90, CLOCK), 7,
                Duration.ofHours(1), 400, new io.micrometer.core.instrument.simple.SimpleMeterRegistry()).runOnce();

        // Then every expired batch went with its counters and partition row; the younger one stays
        assertThat(run.batchesDeleted()).isEqualTo(expired);
        assertThat(count("SELECT count(*) FROM batch WHERE id LIKE 'bat_old%'")).isZero();
        assertThat(count("SELECT count(*) FROM batch_counts WHERE batch_id LIKE 'bat_old%'")).isZero();
        assertThat(count("SELECT count(*) FROM batch_partition WHERE batch_id LIKE 'bat_old%' OR batch_id = 'bat_orphan'")).isZero();
        assertThat(count("SELECT count(*) FROM batch_counts WHERE batch_id = 'bat_kept399'")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM batch_partition WHERE batch_id = 'bat_kept399'")).isEqualTo(1);
    }

    @Test
    void shouldRefuseABatchRetentionShorterThanTheViewRetention() {
        assertThatThrownBy(() -> new PartitionMaintenance(dataSource, new ViewPartitions(jdbc, 90, CLOCK), 7,
                Duration.ofHours(1), 30, new io.micrometer.core.instrument.simple.SimpleMeterRegistry()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("BATCH_RETENTION_DAYS (30) must be at least VIEW_RETENTION_DAYS (90)");
    }

    @Test
    void shouldRunOnOneInstanceAtATime() throws Exception {
        try (Connection other = dataSource.getConnection(); Statement s = other.createStatement()) {
            s.execute("SELECT pg_advisory_lock(hashtextextended('mailer.view-partitions.maintenance', 0))");
            PartitionMaintenance.Run run = new PartitionMaintenance(dataSource, new ViewPartitions(jdbc, 90, CLOCK), 7,
                    Duration.ofHours(1)).runOnce();
            assertThat(run.ran()).isFalse();
            s.execute("SELECT pg_advisory_unlock(hashtextextended('mailer.view-partitions.maintenance', 0))");
        }
        assertThat(new PartitionMaintenance(dataSource, new ViewPartitions(jdbc, 90, CLOCK), 7, Duration.ofHours(1))
                .runOnce().ran()).isTrue();
    }

    /**
     * The partition key is the batch's, fixed by the first record seen: an event projected two days
     * before its chunk (whose createdAt is yet another day), redelivered, then more events — one
     * recipient row per send, one event row per event id, exact counters.
     */
    @Test
    void shouldKeepOneRowPerSendAndPerEventWhateverTheDaysTheRecordsCarry() {
        ProjectionWriter writer = new ProjectionWriter(jdbc, tx, new ViewPartitions(jdbc, 30, CLOCK));
        String batchId = "bat_key";
        Instant eventDay = NOW.minus(Duration.ofDays(2));
        ProjectorRecord sent0 = new ProjectorRecord.EventRecorded(null, event(batchId, 0, EventType.SENT, eventDay), 0);
        writer.write(List.of(sent0));
        writer.write(List.of(new ProjectorRecord.ChunkSubmitted(null, chunk(batchId, 3, NOW.minus(Duration.ofDays(4))))));
        writer.write(List.of(sent0,
                new ProjectorRecord.EventRecorded(null, event(batchId, 0, EventType.DELIVERED, NOW), 0),
                new ProjectorRecord.EventRecorded(null, event(batchId, 1, EventType.SENT, NOW), 1)));
        writer.write(List.of(sent0, new ProjectorRecord.ChunkSubmitted(null, chunk(batchId, 3, NOW.minus(Duration.ofDays(4))))));

        assertThat(count("SELECT count(*) FROM recipient WHERE batch_id = ?", batchId)).isEqualTo(3);
        assertThat(count("SELECT count(DISTINCT send_id) FROM recipient WHERE batch_id = ?", batchId)).isEqualTo(3);
        assertThat(count("SELECT count(*) FROM event WHERE batch_id = ?", batchId)).isEqualTo(3);
        assertThat(jdbc.queryForList("SELECT status FROM recipient WHERE batch_id = ? ORDER BY recipient_index", String.class,
                batchId)).containsExactly("DELIVERED", "SENT", "QUEUED");
        assertThat(jdbc.queryForMap("SELECT sent, delivered FROM batch_counts WHERE batch_id = ?", batchId))
                .isEqualTo(Map.of("sent", 2, "delivered", 1));
        // every row of the batch in the partition of the first record's day
        String day = ViewPartitions.name("recipient", ViewPartitions.day(eventDay));
        assertThat(jdbc.queryForList("SELECT DISTINCT tableoid::regclass::text FROM recipient WHERE batch_id = ?",
                String.class, batchId)).containsExactly(day);
    }
}
