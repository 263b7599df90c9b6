package io.mailer.feedback.intake.sqs;

import io.mailer.feedback.intake.IntakeMetrics;
import io.mailer.feedback.intake.IntakeProperties;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

/**
 * The pollers' loop, run by each poller thread: take room for a batch → receive (long poll) →
 * hand every message to the handler → receive again. It does NOT wait for Kafka: each batch then
 * settles on its own (the {@link VisibilityHeartbeat} keeps it invisible, the {@link BatchDeleter}
 * deletes it), so the next receive overlaps the producer's linger and the broker's acks.
 */
final class ReceiveLoop implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(ReceiveLoop.class);

    private final SqsClient receiver;
    private final IntakeProperties properties;
    private final SqsMessageHandler handler;
    private final IntakeMetrics metrics;
    private final InFlightLimit room;
    private final VisibilityHeartbeat visibility;
    private final BatchDeleter deleter;
    private final ReceiveMessageRequest request;
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private volatile boolean running = true;

    ReceiveLoop(SqsClient receiver, IntakeProperties properties, SqsMessageHandler handler, IntakeMetrics metrics,
            InFlightLimit room, VisibilityHeartbeat visibility, BatchDeleter deleter) {
        this.receiver = receiver;
        this.properties = properties;
        this.handler = handler;
        this.metrics = metrics;
        this.room = room;
        this.visibility = visibility;
        this.deleter = deleter;
        this.request = ReceiveMessageRequest.builder()
                .queueUrl(properties.queueUrl())
                .maxNumberOfMessages(properties.maxMessages())
                .waitTimeSeconds(properties.waitSeconds())
                .visibilityTimeout(VisibilityHeartbeat.visibilitySeconds(properties.visibilityTimeout()))
                .build();
    }

    /** Ends every thread's loop after its current iteration, and any pause at once. */
    void stop() {
        running = false;
        stopSignal.countDown();
    }

    @Override
    public void run() {
        int batch = properties.maxMessages();
        while (running) {
            try {
                if (!room.awaitRoom(batch, () -> running)) {
                    continue;
                }
                Optional<List<Message>> messages = receive();
                int received = messages.map(List::size).orElse(0);
                room.received(batch, received);
                if (received > 0) {
                    handOver(messages.get());
                } else if (messages.isPresent() && properties.waitSeconds() == 0) {
                    pause(200); // short polling: do not spin on an empty queue
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop();
            } catch (RuntimeException e) {
                log.error("SQS poller iteration failed", e);
                pause(1000);
            }
        }
    }

    /** The received messages, or empty when the receive failed or was cancelled by stop(). */
    private Optional<List<Message>> receive() {
        try {
            return Optional.of(receiver.receiveMessage(request).messages());
        } catch (RuntimeException e) {
            // after stop() this is the cancelled long poll: nothing to report
            if (running) {
                metrics.receiveError();
                log.warn("SQS receive from {} failed: {}", properties.queueUrl(), e.getMessage());
                pause(1000);
            }
            return Optional.empty();
        }
    }

    /** Hands the messages to the handler and returns at once; the batch settles when all are done. */
    private void handOver(List<Message> messages) {
        // a list, not a map keyed by Message: the SDK's Message.hashCode hashes the whole body
        List<InWork> batch = new ArrayList<>(messages.size());
        for (Message m : messages) {
            CompletableFuture<SqsMessageHandler.Settlement> f;
            try {
                f = handler.handle(m).orTimeout(properties.publishTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            batch.add(new InWork(m, f));
        }
        ScheduledFuture<?> heartbeat = visibility.keepInvisible(batch);
        deleter.deleteWhenSettled(batch, () -> {
            heartbeat.cancel(false);
            room.settled(batch.size());
        });
    }

    private void pause(long millis) {
        try {
            stopSignal.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
