package io.mailer.feedback.intake;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

/**
 * A few threads, each looping receive (long poll, batches of 10) → handle every message → wait
 * for Kafka acks → delete the handled messages in one batch call. A message is deleted only after
 * its records are acknowledged; one whose handling failed is left alone and SQS redelivers it
 * after the visibility timeout (and moves it to the DLQ after maxReceiveCount).
 *
 * <p>Visibility: each receive asks for {@code visibilityTimeout}; while a message is still in work
 * (e.g. Kafka slow to ack) a heartbeat extends it every third of that timeout with
 * ChangeMessageVisibilityBatch, so a slow message is not handed to another poller meanwhile.
 *
 * <p>Shutdown: stop receiving (an outstanding long poll is cancelled), let every thread finish the
 * messages it holds, delete them, then return.
 */
public final class SqsPoller implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SqsPoller.class);

    private final SqsAsyncClient sqs;
    private final IntakeProperties properties;
    private final SqsMessageHandler handler;
    private final IntakeMetrics metrics;
    private final Set<CompletableFuture<?>> pendingReceives = ConcurrentHashMap.newKeySet();
    private final List<Thread> threads = new ArrayList<>();
    private ScheduledExecutorService heartbeat;
    private volatile boolean running;
    private volatile CountDownLatch stopSignal = new CountDownLatch(1);

    public SqsPoller(SqsAsyncClient sqs, IntakeProperties properties, SqsMessageHandler handler,
            IntakeMetrics metrics) {
        this.sqs = sqs;
        this.properties = properties;
        this.handler = handler;
        this.metrics = metrics;
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        stopSignal = new CountDownLatch(1);
        heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sqs-visibility");
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < properties.pollers(); i++) {
            Thread t = new Thread(this::loop, "sqs-poller-" + i);
            t.start();
            threads.add(t);
        }
        log.info("Polling {} with {} thread(s), wait {} s", properties.queueUrl(), properties.pollers(),
                properties.waitSeconds());
    }

    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        stopSignal.countDown();
        pendingReceives.forEach(f -> f.cancel(true));
        long deadline = System.nanoTime() + properties.publishTimeout().toNanos() + TimeUnit.SECONDS.toNanos(10);
        for (Thread t : threads) {
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        threads.clear();
        heartbeat.shutdownNow();
        log.info("Stopped polling {}", properties.queueUrl());
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public boolean isAutoStartup() {
        return properties.enabled();
    }

    /** Stop before anything else (Kafka producer, web server): no new work, in-flight work finishes. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE;
    }

    private void loop() {
        while (running) {
            try {
                List<Message> messages = receive();
                if (messages == null) {
                    continue;
                }
                if (!messages.isEmpty()) {
                    process(messages);
                } else if (properties.waitSeconds() == 0) {
                    pause(200); // short polling: do not spin on an empty queue
                }
            } catch (RuntimeException e) {
                log.error("SQS poller iteration failed", e);
                pause(1000);
            }
        }
    }

    /** The received messages, or null when the receive failed or was cancelled by stop(). */
    private List<Message> receive() {
        ReceiveMessageRequest request = ReceiveMessageRequest.builder()
                .queueUrl(properties.queueUrl())
                .maxNumberOfMessages(properties.maxMessages())
                .waitTimeSeconds(properties.waitSeconds())
                .visibilityTimeout(visibilitySeconds())
                .build();
        CompletableFuture<ReceiveMessageResponse> future = sqs.receiveMessage(request);
        pendingReceives.add(future);
        try {
            if (!running) {
                future.cancel(true);
            }
            return future.join().messages();
        } catch (CancellationException e) {
            return null;
        } catch (RuntimeException e) {
            if (running) {
                metrics.receiveError();
                log.warn("SQS receive from {} failed: {}", properties.queueUrl(), e.getMessage());
                pause(1000);
            }
            return null;
        } finally {
            pendingReceives.remove(future);
        }
    }

    private void process(List<Message> messages) {
        Map<Message, CompletableFuture<Void>> handled = new LinkedHashMap<>();
        for (Message m : messages) {
            CompletableFuture<Void> f;
            try {
                f = handler.handle(m);
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            handled.put(m, f);
        }
        long every = Math.max(200, properties.visibilityTimeout().toMillis() / 3);
        ScheduledFuture<?> extension = heartbeat.scheduleAtFixedRate(() -> extendVisibility(handled), every, every,
                TimeUnit.MILLISECONDS);
        try {
            delete(awaitHandled(handled));
        } finally {
            extension.cancel(false);
        }
    }

    private List<Message> awaitHandled(Map<Message, CompletableFuture<Void>> handled) {
        List<Message> done = new ArrayList<>();
        long deadline = System.nanoTime() + properties.publishTimeout().toNanos();
        for (Map.Entry<Message, CompletableFuture<Void>> e : handled.entrySet()) {
            try {
                e.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                done.add(e.getKey());
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                break;
            } catch (Exception failure) {
                // not deleted: SQS makes it visible again after the visibility timeout
                log.warn("SQS message {} left for redelivery: {}", e.getKey().messageId(), rootMessage(failure));
            }
        }
        return done;
    }

    /** Keeps the messages still in work invisible to other pollers for another visibility timeout. */
    private void extendVisibility(Map<Message, CompletableFuture<Void>> handled) {
        List<ChangeMessageVisibilityBatchRequestEntry> entries = new ArrayList<>();
        int i = 0;
        for (Map.Entry<Message, CompletableFuture<Void>> e : handled.entrySet()) {
            if (!e.getValue().isDone()) {
                entries.add(ChangeMessageVisibilityBatchRequestEntry.builder().id(Integer.toString(i++))
                        .receiptHandle(e.getKey().receiptHandle()).visibilityTimeout(visibilitySeconds()).build());
            }
        }
        if (entries.isEmpty()) {
            return;
        }
        try {
            sqs.changeMessageVisibilityBatch(b -> b.queueUrl(properties.queueUrl()).entries(entries))
                    .get(properties.visibilityTimeout().toMillis(), TimeUnit.MILLISECONDS);
            metrics.visibilityExtended(entries.size());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            metrics.receiveError();
            log.warn("Extending the visibility of {} SQS message(s) failed: {}", entries.size(), rootMessage(e));
        }
    }

    private int visibilitySeconds() {
        return (int) Math.max(1, properties.visibilityTimeout().toSeconds());
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
        try {
            DeleteMessageBatchResponse response = sqs.deleteMessageBatch(b -> b.queueUrl(properties.queueUrl())
                    .entries(entries)).join();
            if (response.hasFailed() && !response.failed().isEmpty()) {
                metrics.receiveError();
                // harmless beyond a duplicate: a redelivered message maps to the same event ids
                log.warn("SQS delete failed for {} message(s): {}", response.failed().size(), response.failed());
            }
        } catch (RuntimeException e) {
            metrics.receiveError();
            log.warn("SQS delete batch failed ({} messages will be redelivered): {}", done.size(), e.getMessage());
        }
    }

    private void pause(long millis) {
        try {
            stopSignal.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
