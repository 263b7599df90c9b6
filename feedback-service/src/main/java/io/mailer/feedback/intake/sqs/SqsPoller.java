package io.mailer.feedback.intake.sqs;

import io.mailer.feedback.intake.IntakeMetrics;
import io.mailer.feedback.intake.IntakeProperties;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

/**
 * A few threads, each looping receive (long poll, batches of 10) → hand every message to the
 * handler → receive again. The poller does NOT wait for Kafka: when every message of a receive
 * has settled, the ones whose records were acknowledged are deleted in one
 * DeleteMessageBatch call, issued from a separate pool of delete threads. So a message is still deleted only after
 * its records are acknowledged, while the next receive overlaps the producer's linger and the
 * broker's acks (pipelining). A message whose handling failed, or whose acks did not come within
 * {@code publishTimeout}, is left alone: SQS redelivers it after the visibility timeout (and moves
 * it to the DLQ after maxReceiveCount).
 *
 * <p>Back-pressure: at most {@code maxInFlight} messages are received and not yet settled and
 * deleted; a poller waits for room before it receives more (e.g. while Kafka is down).
 *
 * <p>Visibility: each receive asks for {@code visibilityTimeout}; while a message is still in work
 * (e.g. Kafka slow to ack) a heartbeat extends it every third of that timeout with
 * ChangeMessageVisibilityBatch, so a slow message is not handed to another poller meanwhile.
 *
 * <p>Shutdown: stop receiving (an outstanding long poll is cancelled through
 * {@link SqsClients#cancelReceives()}), wait for every message in flight to settle and be deleted,
 * then return.
 *
 * <p>The SQS calls are blocking ({@link SqsClients}): a poller thread waits in its long poll, a
 * delete thread in its DeleteMessageBatch; measured cheaper in CPU per call than the async client.
 */
public final class SqsPoller implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SqsPoller.class);

    private final SqsClients sqs;
    private final IntakeProperties properties;
    private final SqsMessageHandler handler;
    private final IntakeMetrics metrics;
    private final List<Thread> threads = new ArrayList<>();
    /** One permit per message received and not yet settled (deleted or left for redelivery). */
    private final Semaphore inFlight;
    /** Messages received and not yet settled (the permits also cover receives still waiting for messages). */
    private final AtomicInteger unsettled = new AtomicInteger();
    private ScheduledExecutorService heartbeat;
    private ExecutorService deleter;
    private volatile boolean running;
    private volatile CountDownLatch stopSignal = new CountDownLatch(1);

    public SqsPoller(SqsClients sqs, IntakeProperties properties, SqsMessageHandler handler,
            IntakeMetrics metrics) {
        this.sqs = sqs;
        this.properties = properties;
        this.handler = handler;
        this.metrics = metrics;
        this.inFlight = new Semaphore(maxInFlight());
        metrics.inFlight(unsettled::get);
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        stopSignal = new CountDownLatch(1);
        sqs.resumeReceives();
        heartbeat = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "sqs-visibility"));
        // deletes block for a round trip each: neither a poller nor the Kafka producer's I/O
        // thread (which completes the acks) waits for them
        deleter = Executors.newFixedThreadPool(properties.deleters(), r -> daemon(r, "sqs-delete"));
        for (int i = 0; i < properties.pollers(); i++) {
            Thread t = new Thread(this::loop, "sqs-poller-" + i);
            t.start();
            threads.add(t);
        }
        log.info("Polling {} with {} thread(s), wait {} s, up to {} messages in flight", properties.queueUrl(),
                properties.pollers(), properties.waitSeconds(), maxInFlight());
    }

    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        stopSignal.countDown();
        sqs.cancelReceives();
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
        awaitSettled(deadline);
        heartbeat.shutdownNow();
        deleter.shutdown();
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
        int batch = properties.maxMessages();
        while (running) {
            try {
                if (!awaitRoom(batch)) {
                    continue;
                }
                List<Message> messages = receive();
                int received = messages == null ? 0 : messages.size();
                inFlight.release(batch - received);
                if (received > 0) {
                    unsettled.addAndGet(received);
                    process(messages);
                } else if (messages != null && properties.waitSeconds() == 0) {
                    pause(200); // short polling: do not spin on an empty queue
                }
            } catch (RuntimeException e) {
                log.error("SQS poller iteration failed", e);
                pause(1000);
            }
        }
    }

    /** Takes {@code permits} once that many messages may be in flight; false when stopping. */
    private boolean awaitRoom(int permits) {
        if (inFlight.tryAcquire(permits)) {
            return true;
        }
        try {
            while (running) {
                // counted per attempt, so the metric rises while a poller is still waiting
                long since = System.nanoTime();
                boolean room = inFlight.tryAcquire(permits, 200, TimeUnit.MILLISECONDS);
                metrics.roomWaited(System.nanoTime() - since);
                if (room) {
                    return true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
        return false;
    }

    /** Waits (until the deadline) for every message in flight to be settled and deleted. */
    private void awaitSettled(long deadlineNanos) {
        int all = maxInFlight();
        try {
            if (inFlight.tryAcquire(all, Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                inFlight.release(all);
            } else {
                log.warn("{} SQS message(s) still in work at shutdown are left for redelivery",
                        all - inFlight.availablePermits());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
        try {
            return sqs.receiver().receiveMessage(request).messages();
        } catch (RuntimeException e) {
            // after stop() this is the cancelled long poll: nothing to report
            if (running) {
                metrics.receiveError();
                log.warn("SQS receive from {} failed: {}", properties.queueUrl(), e.getMessage());
                pause(1000);
            }
            return null;
        }
    }

    /** Hands the messages to the handler and returns at once; they are settled when all are done. */
    private void process(List<Message> messages) {
        // a list, not a map keyed by Message: the SDK's Message.hashCode hashes the whole body
        List<InWork> handled = new ArrayList<>(messages.size());
        for (Message m : messages) {
            CompletableFuture<Void> f;
            try {
                f = handler.handle(m).orTimeout(properties.publishTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            handled.add(new InWork(m, f));
        }
        long every = Math.max(200, properties.visibilityTimeout().toMillis() / 3);
        ScheduledFuture<?> extension = heartbeat.scheduleAtFixedRate(() -> extendVisibility(handled), every, every,
                TimeUnit.MILLISECONDS);
        CompletableFuture.allOf(handled.stream().map(InWork::done).toArray(CompletableFuture[]::new))
                .whenCompleteAsync((ok, failure) -> settle(handled, extension), this::onDeleter);
    }

    /** Deletes the messages whose records were acknowledged, then frees their room. */
    private void settle(List<InWork> handled, ScheduledFuture<?> extension) {
        extension.cancel(false);
        try {
            delete(succeeded(handled));
        } catch (RuntimeException e) {
            metrics.receiveError();
            log.warn("SQS delete of {} message(s) failed, they will be redelivered: {}", handled.size(),
                    rootMessage(e));
        } finally {
            unsettled.addAndGet(-handled.size());
            inFlight.release(handled.size());
        }
    }

    private void onDeleter(Runnable task) {
        try {
            deleter.execute(task);
        } catch (RejectedExecutionException e) {
            // stopped after the shutdown deadline: not deleted, so SQS redelivers these messages
            log.warn("SQS poller stopped before a batch settled; its messages will be redelivered");
        }
    }

    private List<Message> succeeded(List<InWork> handled) {
        List<Message> done = new ArrayList<>();
        for (InWork w : handled) {
            if (w.done().isCompletedExceptionally()) {
                // not deleted: SQS makes it visible again after the visibility timeout
                log.warn("SQS message {} left for redelivery: {}", w.message().messageId(),
                        rootMessage(w.done().handle((ok, failure) -> failure).join()));
            } else {
                done.add(w.message());
            }
        }
        return done;
    }

    /** Keeps the messages still in work invisible to other pollers for another visibility timeout. */
    private void extendVisibility(List<InWork> handled) {
        List<ChangeMessageVisibilityBatchRequestEntry> entries = new ArrayList<>();
        int i = 0;
        for (InWork w : handled) {
            if (!w.done().isDone()) {
                entries.add(ChangeMessageVisibilityBatchRequestEntry.builder().id(Integer.toString(i++))
                        .receiptHandle(w.message().receiptHandle()).visibilityTimeout(visibilitySeconds()).build());
            }
        }
        if (entries.isEmpty()) {
            return;
        }
        try {
            sqs.control().changeMessageVisibilityBatch(b -> b.queueUrl(properties.queueUrl()).entries(entries));
            metrics.visibilityExtended(entries.size());
        } catch (RuntimeException e) {
            metrics.receiveError();
            log.warn("Extending the visibility of {} SQS message(s) failed: {}", entries.size(), rootMessage(e));
        }
    }

    /** A received message and the completion of its handling (records acknowledged, or failed). */
    private record InWork(Message message, CompletableFuture<Void> done) {
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
        DeleteMessageBatchResponse response = sqs.control()
                .deleteMessageBatch(b -> b.queueUrl(properties.queueUrl()).entries(entries));
        if (response.hasFailed() && !response.failed().isEmpty()) {
            metrics.receiveError();
            // harmless beyond a duplicate: a redelivered message maps to the same event ids
            log.warn("SQS delete failed for {} message(s): {}", response.failed().size(), response.failed());
        }
    }

    private int maxInFlight() {
        return Math.max(properties.maxInFlight(), properties.maxMessages());
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
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
