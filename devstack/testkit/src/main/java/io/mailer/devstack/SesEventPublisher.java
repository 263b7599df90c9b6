package io.mailer.devstack;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import tools.jackson.databind.node.ObjectNode;

/**
 * Publishes what SES would publish after accepting a message: SNS-wrapped configuration-set
 * events on the SQS queue, a little later (SES events are asynchronous, and consumers must not
 * rely on them arriving with the API response).
 */
final class SesEventPublisher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SesEventPublisher.class);

    private final SesEvents events;
    private final SqsClient sqs;
    private final String queueUrl;
    private final Duration delay;
    private final Duration complaintDelay;
    private final ScheduledExecutorService scheduler;
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
        this.scheduler = Executors.newScheduledThreadPool(Math.max(1, threads), r -> {
            Thread t = new Thread(r, "ses-sandbox-events");
            t.setDaemon(true);
            return t;
        });
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
            scheduler.schedule(() -> {
                try {
                    send(event.get());
                } finally {
                    pending.decrementAndGet();
                }
            }, after.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // the sandbox is closing: events of the last sends are dropped, as on a real outage
            pending.decrementAndGet();
        }
    }

    private void send(ObjectNode sesEvent) {
        try {
            String body = SesEvents.JSON.writeValueAsString(events.snsEnvelope(sesEvent, Instant.now()));
            sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(body));
            published.incrementAndGet();
        } catch (RuntimeException e) {
            failed.incrementAndGet();
            log.warn("SES sandbox could not publish a {} event to {}: {}",
                    sesEvent.path("eventType").asString(""), queueUrl, e.toString());
        }
    }

    @Override
    public void close() {
        scheduler.shutdown();
        try {
            // Let events already due (100 ms scale) go out so a test's last sends still report.
            scheduler.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        scheduler.shutdownNow();
        sqs.close();
    }
}
