package io.mailer.feedback.projector;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.feedback.support.FeedbackStack;
import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.EventType;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Two projector transactions that settle the two halves of a batch's last recipients at the same
 * moment (the events are keyed by send id, so they land on different partitions and consumers):
 * the batch must still end COMPLETED. Under READ COMMITTED neither transaction sees the other's
 * uncommitted half; without serialising the completion check both count 5 of 10 and the batch
 * stays PROCESSING for ever — the flake first seen in ProjectionRebuildIntegrationTest.
 */
class ProjectionWriterConcurrencyIntegrationTest {

    private static final int BATCHES = 60;

    @Test
    void shouldCompleteEveryBatchWhenTwoTransactionsSettleItsHalvesConcurrently() throws Exception {
        JdbcTemplate jdbc = FeedbackStack.get().jdbc();
        ProjectionWriter writer = new ProjectionWriter(jdbc,
                new TransactionTemplate(new DataSourceTransactionManager(jdbc.getDataSource())));
        String run = "race-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int n = 0; n < BATCHES; n++) {
                String b = run + n;
                // Given a batch of 10 whose rows are all QUEUED
                writer.write(List.of(new ProjectorRecord.ChunkSubmitted(null, ProjectorFixtures.chunks(b, 10, 10).get(0))));
                // When two transactions send recipients 0-4 and 5-9 at the same moment
                CyclicBarrier together = new CyclicBarrier(2);
                CompletableFuture<?> first = CompletableFuture.runAsync(() -> settle(writer, together, b, 0), pool);
                CompletableFuture<?> second = CompletableFuture.runAsync(() -> settle(writer, together, b, 5), pool);
                CompletableFuture.allOf(first, second).join();
            }
        } finally {
            pool.shutdownNow();
        }
        // Then every batch is COMPLETED
        List<String> stuck = jdbc.queryForList(
                "SELECT id FROM batch WHERE id LIKE ? AND status <> 'COMPLETED' ORDER BY id", String.class, run + "%");
        assertThat(stuck).as("batches left PROCESSING").isEmpty();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM batch WHERE id LIKE ?", Integer.class, run + "%"))
                .isEqualTo(BATCHES);
    }

    private static void settle(ProjectionWriter writer, CyclicBarrier together, String batchId, int from) {
        List<ProjectorRecord> records = new ArrayList<>();
        for (int i = from; i < from + 5; i++) {
            DeliveryEvent sent = ProjectorFixtures.event(batchId, i, EventType.SENT, 1);
            records.add(new ProjectorRecord.EventRecorded(null, sent, i));
        }
        try {
            together.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        writer.write(records);
    }
}
