package io.mailer.feedback.intake.sqs;

import io.mailer.feedback.intake.IntakeMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;

/**
 * Keeps the messages of a batch invisible to other pollers and replicas while they are still in
 * work (e.g. Kafka slow to ack): every third of the visibility timeout, one
 * ChangeMessageVisibilityBatch call gives the messages not yet done another visibility timeout.
 * Without it a slow message would reappear and be handled twice.
 */
final class VisibilityHeartbeat {

    private static final Logger log = LoggerFactory.getLogger(VisibilityHeartbeat.class);

    private final SqsClient control;
    private final String queueUrl;
    private final int visibilitySeconds;
    private final long everyMillis;
    private final IntakeMetrics metrics;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sqs-visibility");
        t.setDaemon(true);
        return t;
    });

    VisibilityHeartbeat(SqsClient control, String queueUrl, Duration visibilityTimeout, IntakeMetrics metrics) {
        this.control = control;
        this.queueUrl = queueUrl;
        this.visibilitySeconds = visibilitySeconds(visibilityTimeout);
        this.everyMillis = Math.max(200, visibilityTimeout.toMillis() / 3);
        this.metrics = metrics;
    }

    /** The visibility timeout a receive asks for, in whole seconds (SQS's unit), at least 1. */
    static int visibilitySeconds(Duration visibilityTimeout) {
        return (int) Math.max(1, visibilityTimeout.toSeconds());
    }

    /** Starts extending the batch's visibility; cancel the returned future once the batch has settled. */
    ScheduledFuture<?> keepInvisible(List<InWork> batch) {
        return timer.scheduleAtFixedRate(() -> extend(batch), everyMillis, everyMillis, TimeUnit.MILLISECONDS);
    }

    void stop() {
        timer.shutdownNow();
    }

    private void extend(List<InWork> batch) {
        List<ChangeMessageVisibilityBatchRequestEntry> entries = new ArrayList<>();
        int i = 0;
        for (InWork w : batch) {
            if (!w.done().isDone()) {
                entries.add(ChangeMessageVisibilityBatchRequestEntry.builder().id(Integer.toString(i++))
                        .receiptHandle(w.message().receiptHandle()).visibilityTimeout(visibilitySeconds).build());
            }
        }
        if (entries.isEmpty()) {
            return;
        }
        try {
            control.changeMessageVisibilityBatch(b -> b.queueUrl(queueUrl).entries(entries));
            metrics.visibilityExtended(entries.size());
        } catch (RuntimeException e) {
            metrics.receiveError();
            log.warn("Extending the visibility of {} SQS message(s) failed: {}", entries.size(), RootCause.describe(e));
        }
    }
}
