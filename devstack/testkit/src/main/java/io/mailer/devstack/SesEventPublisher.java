package io.mailer.devstack;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;
import tools.jackson.databind.node.ObjectNode;

/**
 * Publishes what SES would publish after accepting a message: SNS-wrapped configuration-set
 * events on the SQS queue, a little later (SES events are asynchronous, and consumers must not
 * rely on them arriving with the API response).
 *
 * <p>Events fall due on a scheduler and are published by {@code threads} publishers, each sending
 * the events due at that moment in batches of up to {@value #BATCH} ({@code SendMessageBatch}): one
 * request per event kept the in-JVM SQS (ElasticMQ) busier than any Mailer service — ~half a core
 * at 200 sends/s on the shared 2-core machine — and still fell 1,000–1,500 events (5–7 s) behind
 * (issue 16), where real SES reports within seconds.
 */
final class SesEventPublisher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SesEventPublisher.class);

    private final SesEvents events;
    private final SqsClient sqs;
    private final String queueUrl;
    private final Duration delay;
    private final Duration complaintDelay;
    private final ScheduledExecutorService scheduler;
    /** SQS's limit for one SendMessageBatch. */
    static final int BATCH = 10;
    private final BlockingQueue<Supplier<ObjectNode>> due = new LinkedBlockingQueue<>();
    private final ExecutorService publishers;
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong pending = new AtomicLong();

    SesEventPublisher(SesEvents events, SqsClient sqs, String queueUrl, Duration delay, Duration complaintDelay,
            int threads) {
        this.events = events;
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.delay = delay;
        this.complaintDelay = complaintDelay;
        this.scheduler = Executors.newScheduledThreadPool(1, r -> {
            Thread t = new Thread(r, "ses-sandbox-events-due");
            t.setDaemon(true);
            return t;
        });
        int publisherThreads = Math.max(1, threads);
        this.publishers = Executors.newFixedThreadPool(publisherThreads, r -> {
            Thread t = new Thread(r, "ses-sandbox-events");
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < publisherThreads; i++) {
            publishers.execute(this::publishDue);
        }
    }

    /** Takes the events due, up to {@value #BATCH} at a time, and publishes them in one request. */
    private void publishDue() {
        List<Supplier<ObjectNode>> batch = new ArrayList<>(BATCH);
        while (!Thread.currentThread().isInterrupted()) {
            try {
                batch.add(due.take());
            } catch (InterruptedException e) {
                return;
            }
            due.drainTo(batch, BATCH - 1);
            try {
                send(batch);
            } finally {
                pending.addAndGet(-batch.size());
                batch.clear();
            }
        }
    }

    /** Schedules the events the mailbox simulator rules give each recipient of {@code message}. */
    void publishFor(SesSandbox.SentMessage message) {
        for (String recipient : message.recipients()) {
            switch (MailboxSimulator.outcomeFor(recipient)) {
                case DELIVERED -> later(delay, () -> events.delivery(message, recipient, Instant.now()));
                case BOUNCED -> later(delay, () -> events.bounce(message, recipient, Instant.now(), false));
                case ON_SUPPRESSION_LIST -> later(delay, () -> events.bounce(message, recipient, Instant.now(), true));
                case DELIVERED_THEN_COMPLAINED -> {
                    later(delay, () -> events.delivery(message, recipient, Instant.now()));
                    later(complaintDelay, () -> events.complaint(message, recipient, Instant.now()));
                }
            }
        }
    }

    long published() {
        return published.get();
    }

    long failed() {
        return failed.get();
    }

    long pending() {
        return pending.get();
    }

    private void later(Duration after, Supplier<ObjectNode> event) {
        pending.incrementAndGet();
        try {
            scheduler.schedule(() -> due.add(event), after.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // the sandbox is closing: events of the last sends are dropped, as on a real outage
            pending.decrementAndGet();
        }
    }

    private void send(List<Supplier<ObjectNode>> batch) {
        List<SendMessageBatchRequestEntry> entries = new ArrayList<>(batch.size());
        List<String> types = new ArrayList<>(batch.size());
        for (Supplier<ObjectNode> event : batch) {
            try {
                ObjectNode sesEvent = event.get();
                types.add(sesEvent.path("eventType").asString(""));
                String body = SesEvents.JSON.writeValueAsString(events.snsEnvelope(sesEvent, Instant.now()));
                entries.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(entries.size())).messageBody(body).build());
            } catch (RuntimeException e) {
                failed.incrementAndGet();
                log.warn("SES sandbox could not build an event: {}", e.toString());
            }
        }
        if (entries.isEmpty()) {
            return;
        }
        try {
            SendMessageBatchResponse response = sqs.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
            published.addAndGet(response.successful().size());
            if (!response.failed().isEmpty()) {
                failed.addAndGet(response.failed().size());
                log.warn("SES sandbox could not publish {} of {} events to {}: {}", response.failed().size(), entries.size(),
                        queueUrl, response.failed().get(0));
            }
        } catch (RuntimeException e) {
            failed.addAndGet(entries.size());
            log.warn("SES sandbox could not publish {} events {} to {}: {}", entries.size(), types, queueUrl, e.toString());
        }
    }

    @Override
    public void close() {
        scheduler.shutdown();
        try {
            // Let events already due (100 ms scale) go out so a test's last sends still report.
            scheduler.awaitTermination(2, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (!due.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        scheduler.shutdownNow();
        publishers.shutdownNow();
        sqs.close();
    }
}
