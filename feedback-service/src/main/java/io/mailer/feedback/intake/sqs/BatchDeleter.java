package io.mailer.feedback.intake.sqs;

import io.mailer.feedback.intake.IntakeMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Deletes a batch once every message of it has settled: the messages the handler settled as
 * {@code DELETE} go in one DeleteMessageBatch call; one to {@code Keep}, one whose handling failed
 * or whose acks did not come in time, is left alone, so SQS redelivers it after the visibility timeout (and moves it to
 * the DLQ after maxReceiveCount). Deletes block for a round trip each, hence a pool of their own:
 * neither a poller nor the Kafka producer's I/O thread (which completes the acks) waits for them.
 */
final class BatchDeleter {

    private static final Logger log = LoggerFactory.getLogger(BatchDeleter.class);

    private final SqsClient control;
    private final String queueUrl;
    private final IntakeMetrics metrics;
    private final ExecutorService pool;

    BatchDeleter(SqsClient control, String queueUrl, int threads, IntakeMetrics metrics) {
        this.control = control;
        this.queueUrl = queueUrl;
        this.metrics = metrics;
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "sqs-delete");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Once every message of the batch is done, deletes the acknowledged ones on a delete thread,
     * then runs {@code afterwards} there (deleted or not).
     */
    void deleteWhenSettled(List<InWork> batch, Runnable afterwards) {
        CompletableFuture.allOf(batch.stream().map(InWork::done).toArray(CompletableFuture[]::new))
                .whenCompleteAsync((ok, failure) -> settle(batch, afterwards), this::onPool);
    }

    /** Lets the batches already settling finish; refuses new ones. */
    void stop() {
        pool.shutdown();
    }

    private void settle(List<InWork> batch, Runnable afterwards) {
        try {
            delete(toDelete(batch));
        } catch (RuntimeException e) {
            metrics.receiveError();
            log.warn("SQS delete of {} message(s) failed, they will be redelivered: {}", batch.size(),
                    RootCause.describe(e));
        } finally {
            afterwards.run();
        }
    }

    private void onPool(Runnable task) {
        try {
            pool.execute(task);
        } catch (RejectedExecutionException e) {
            // stopped after the shutdown deadline: not deleted, so SQS redelivers these messages
            log.warn("SQS poller stopped before a batch settled; its messages will be redelivered");
        }
    }

    /** The messages settled as DELETE; the others are logged and left for redelivery. */
    private static List<Message> toDelete(List<InWork> batch) {
        List<Message> done = new ArrayList<>();
        for (InWork w : batch) {
            // not deleted: SQS makes it visible again after the visibility timeout
            if (w.done().isCompletedExceptionally()) {
                log.warn("SQS message {} left for redelivery: {}", w.message().messageId(),
                        RootCause.describe(w.done().handle((ok, failure) -> failure).join()));
            } else if (w.done().join() instanceof SqsMessageHandler.Settlement.Keep keep) {
                log.warn("SQS message {} left for redelivery: {}", w.message().messageId(), keep.why());
            } else {
                done.add(w.message());
            }
        }
        return done;
    }

    private void delete(List<Message> done) {
        if (done.isEmpty()) {
            return;
        }
        List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>();
        for (int i = 0; i < done.size(); i++) {
            entries.add(DeleteMessageBatchRequestEntry.builder()
                    .id(Integer.toString(i)).receiptHandle(done.get(i).receiptHandle()).build());
        }
        DeleteMessageBatchResponse response = control.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
        if (response.hasFailed() && !response.failed().isEmpty()) {
            metrics.receiveError();
            // harmless beyond a duplicate: a redelivered message maps to the same event ids
            log.warn("SQS delete failed for {} message(s): {}", response.failed().size(), response.failed());
        }
    }
}
