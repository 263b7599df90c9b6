package io.mailer.feedback.intake.sqs;

import io.mailer.feedback.intake.IntakeMetrics;
import io.mailer.feedback.intake.IntakeProperties;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts and stops the intake's SQS work, which three classes do: {@link ReceiveLoop} (a few
 * threads receiving batches and handing them to the handler), {@link VisibilityHeartbeat} (keeps a
 * batch in work invisible) and {@link BatchDeleter} (deletes a settled batch's acknowledged
 * messages). A message is deleted only once the handler settled it as {@code DELETE} (its records
 * acknowledged); one to {@code Keep}, one whose handling failed, or whose acks did not come within
 * {@code publishTimeout}, is left for SQS to redeliver.
 *
 * <p>Back-pressure: at most {@code maxInFlight} messages are received and not yet settled and
 * deleted ({@link InFlightLimit}); a poller waits for room before it receives more.
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
    private final InFlightLimit room;
    private final List<Thread> threads = new ArrayList<>();
    private ReceiveLoop loop;
    private VisibilityHeartbeat visibility;
    private BatchDeleter deleter;
    private volatile boolean running;

    public SqsPoller(SqsClients sqs, IntakeProperties properties, SqsMessageHandler handler,
            IntakeMetrics metrics) {
        this.sqs = sqs;
        this.properties = properties;
        this.handler = handler;
        this.metrics = metrics;
        this.room = new InFlightLimit(Math.max(properties.maxInFlight(), properties.maxMessages()), metrics);
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        sqs.resumeReceives();
        visibility = new VisibilityHeartbeat(sqs.control(), properties.queueUrl(), properties.visibilityTimeout(),
                metrics);
        deleter = new BatchDeleter(sqs.control(), properties.queueUrl(), properties.deleters(), metrics);
        loop = new ReceiveLoop(sqs.receiver(), properties, handler, metrics, room, visibility, deleter);
        for (int i = 0; i < properties.pollers(); i++) {
            Thread t = new Thread(loop, "sqs-poller-" + i);
            t.start();
            threads.add(t);
        }
        log.info("Polling {} with {} thread(s), wait {} s, up to {} messages in flight", properties.queueUrl(),
                properties.pollers(), properties.waitSeconds(), room.limit());
    }

    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        loop.stop();
        sqs.cancelReceives();
        long deadline = System.nanoTime() + properties.publishTimeout().toNanos() + TimeUnit.SECONDS.toNanos(10);
        try {
            for (Thread t : threads) {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            }
            int left = room.awaitSettled(deadline);
            if (left > 0) {
                log.warn("{} SQS message(s) still in work at shutdown are left for redelivery", left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        threads.clear();
        visibility.stop();
        deleter.stop();
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
}
