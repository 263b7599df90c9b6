package io.mailer.feedback.projector;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.feedback.support.FeedbackStack;
import io.mailer.schemas.commands.BatchCommand;
import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.EventType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Property: whatever the events, their order, duplicates and replays, and however they are cut
 * into polls (some written by two transactions at once), the projector's {@code batch_counts} of
 * every batch equal the aggregate the ingress used to run over the recipient rows, and the batch is
 * COMPLETED exactly when every recipient left QUEUED. Seeded random (jqwik is not in the offline
 * repository): {@code -Dcounts.seed=…} replays a failure, {@code -Dcounts.iterations=…} runs more.
 */
class BatchCountsPropertyIntegrationTest {

    /** The ingress's aggregate before the counters (BatchQueries up to changeset 009): the oracle. */
    private static final String OLD_AGGREGATE = """
            SELECT count(r.send_id) FILTER (WHERE r.status = 'SUPPRESSED') AS suppressed,
                   count(r.send_id) FILTER (WHERE r.status IN ('SENT','DELIVERED','BOUNCED','COMPLAINED')) AS sent,
                   count(r.send_id) FILTER (WHERE r.status IN ('DELIVERED','COMPLAINED') OR (r.delivered_at IS NOT NULL AND r.status <> 'BOUNCED')) AS delivered,
                   count(r.send_id) FILTER (WHERE r.status = 'BOUNCED') AS bounced,
                   count(r.send_id) FILTER (WHERE r.complained_at IS NOT NULL OR r.status = 'COMPLAINED') AS complained,
                   count(r.send_id) FILTER (WHERE r.status = 'FAILED') AS failed,
                   count(r.send_id) FILTER (WHERE r.status = 'CANCELLED') AS cancelled
              FROM recipient r WHERE r.batch_id = ?
            """;

    private static final String COUNTERS = """
            SELECT coalesce(max(suppressed), 0) AS suppressed, coalesce(max(sent), 0) AS sent,
                   coalesce(max(delivered), 0) AS delivered, coalesce(max(bounced), 0) AS bounced,
                   coalesce(max(complained), 0) AS complained, coalesce(max(failed), 0) AS failed,
                   coalesce(max(cancelled), 0) AS cancelled
              FROM batch_counts WHERE batch_id = ?
            """;

    private static final List<EventType> TYPES = List.of(EventType.SUPPRESSED, EventType.SENT, EventType.FAILED,
            EventType.CANCELLED, EventType.DELIVERED, EventType.BOUNCED, EventType.SOFT_BOUNCED, EventType.COMPLAINED,
            EventType.DELIVERY_DELAYED);

    private static JdbcTemplate jdbc;
    private static ProjectionWriter writer;
    private static ExecutorService pool;

    @BeforeAll
    static void setUp() {
        jdbc = FeedbackStack.get().jdbc();
        writer = new ProjectionWriter(jdbc, new TransactionTemplate(new DataSourceTransactionManager(jdbc.getDataSource())));
        pool = Executors.newFixedThreadPool(2);
    }

    @AfterAll
    static void tearDown() {
        pool.shutdownNow();
    }

    @Test
    void shouldKeepTheCountersEqualToTheAggregateOfTheRecipientRows() {
        long seed = Long.getLong("counts.seed", 20261120L);
        int iterations = Integer.getInteger("counts.iterations", 150);
        AtomicInteger retried = new AtomicInteger();
        for (int it = 0; it < iterations; it++) {
            Random random = new Random(seed + it);
            String run = "prop-" + seed + "-" + it + "-" + Long.toHexString(System.nanoTime()) + "-";
            List<String> batches = new ArrayList<>();
            List<ProjectorRecord> stream = new ArrayList<>();
            for (int b = 0; b < 1 + random.nextInt(3); b++) {
                String batchId = run + b;
                batches.add(batchId);
                stream.addAll(batchRecords(random, batchId, 1 + random.nextInt(8)));
            }
            // any order, across recipients and batches, with redeliveries
            Collections.shuffle(stream, random);
            for (int d = random.nextInt(stream.size() / 2 + 1); d > 0; d--) {
                stream.add(random.nextInt(stream.size() + 1), stream.get(random.nextInt(stream.size())));
            }
            writeInPolls(random, stream, retried);
            for (String batchId : batches) {
                String where = "seed " + (seed + it) + " (iteration " + it + "), batch " + batchId;
                assertThat(longs(COUNTERS, batchId)).as("counters of " + where).isEqualTo(longs(OLD_AGGREGATE, batchId));
                assertCompletion(batchId, where);
            }
        }
        System.out.println("BatchCountsProperty: " + iterations + " iterations from seed " + seed + ", "
                + retried.get() + " transactions retried after a deadlock");
    }

    /** The chunk, maybe a cancel, and per recipient a random history (FAILED → SENT replays included). */
    private static List<ProjectorRecord> batchRecords(Random random, String batchId, int size) {
        List<ProjectorRecord> out = new ArrayList<>();
        out.add(new ProjectorRecord.ChunkSubmitted(null, ProjectorFixtures.chunks(batchId, size, size).get(0)));
        if (random.nextInt(5) == 0) {
            out.add(new ProjectorRecord.BatchCancelled(null, BatchCommand.cancel(batchId, "acme", ProjectorFixtures.T0)));
        }
        for (int i = 0; i < size; i++) {
            List<EventType> history = new ArrayList<>();
            if (random.nextInt(4) == 0) {
                history.addAll(List.of(EventType.FAILED, EventType.SENT));
            }
            for (int n = random.nextInt(6); n > 0; n--) {
                history.add(TYPES.get(random.nextInt(TYPES.size())));
            }
            for (EventType type : history) {
                DeliveryEvent e = ProjectorFixtures.event(batchId, i, type, 1 + random.nextInt(600));
                out.add(new ProjectorRecord.EventRecorded(null, e, i));
            }
        }
        return out;
    }

    /** Random polls of 1-12 records; some polls written twice (a replay), some two at a time. */
    private static void writeInPolls(Random random, List<ProjectorRecord> stream, AtomicInteger retried) {
        int at = 0;
        while (at < stream.size()) {
            int end = Math.min(stream.size(), at + 1 + random.nextInt(12));
            List<ProjectorRecord> poll = List.copyOf(stream.subList(at, end));
            at = end;
            if (random.nextInt(4) == 0 && at < stream.size()) {
                int end2 = Math.min(stream.size(), at + 1 + random.nextInt(12));
                List<ProjectorRecord> other = List.copyOf(stream.subList(at, end2));
                at = end2;
                CompletableFuture.allOf(CompletableFuture.runAsync(() -> write(poll, retried), pool),
                        CompletableFuture.runAsync(() -> write(other, retried), pool)).join();
            } else {
                write(poll, retried);
            }
            if (random.nextInt(6) == 0) {
                write(poll, retried);
            }
        }
    }

    /** Like the listener's error handler: a deadlock victim is rolled back and written again. */
    private static void write(List<ProjectorRecord> poll, AtomicInteger retried) {
        for (int attempt = 0; ; attempt++) {
            try {
                writer.write(poll);
                return;
            } catch (PessimisticLockingFailureException e) {
                if (attempt == 5) {
                    throw e;
                }
                retried.incrementAndGet();
            }
        }
    }

    private static Map<String, Long> longs(String sql, String batchId) {
        Map<String, Long> out = new TreeMap<>();
        jdbc.queryForMap(sql, batchId).forEach((k, v) -> out.put(k, ((Number) v).longValue()));
        return out;
    }

    private static void assertCompletion(String batchId, String where) {
        Map<String, Object> row = jdbc.queryForMap("SELECT status, total FROM batch WHERE id = ?", batchId);
        int queued = jdbc.queryForObject("SELECT count(*) FROM recipient WHERE batch_id = ? AND status = 'QUEUED'",
                Integer.class, batchId);
        int rows = jdbc.queryForObject("SELECT count(*) FROM recipient WHERE batch_id = ?", Integer.class, batchId);
        assertThat(rows).as("recipients of " + where).isEqualTo(row.get("total"));
        Map<String, Long> counts = longs(COUNTERS, batchId);
        long settled = counts.get("suppressed") + counts.get("sent") + counts.get("failed") + counts.get("cancelled");
        assertThat(queued + settled).as("total = queued + suppressed + sent + failed + cancelled, " + where).isEqualTo(rows);
        if (!"CANCELLED".equals(row.get("status"))) {
            assertThat(row.get("status")).as("status of " + where).isEqualTo(queued == 0 ? "COMPLETED" : "PROCESSING");
        }
    }
}
