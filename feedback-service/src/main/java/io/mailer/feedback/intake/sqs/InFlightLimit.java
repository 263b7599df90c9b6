package io.mailer.feedback.intake.sqs;

import io.mailer.feedback.intake.IntakeMetrics;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Back-pressure: at most {@code limit} messages are received and not yet settled (deleted, or left
 * for redelivery). A receive loop takes room for a whole batch before it receives (e.g. while
 * Kafka is down it waits here instead of piling up messages) and gives back what the receive did
 * not fill.
 */
final class InFlightLimit {

    private final int limit;
    private final IntakeMetrics metrics;
    /** One permit per message received and not yet settled (deleted or left for redelivery). */
    private final Semaphore room;
    /** Messages received and not yet settled (the permits also cover receives still waiting for messages). */
    private final AtomicInteger unsettled = new AtomicInteger();

    InFlightLimit(int limit, IntakeMetrics metrics) {
        this.limit = limit;
        this.metrics = metrics;
        this.room = new Semaphore(limit);
        metrics.inFlight(unsettled::get);
    }

    int limit() {
        return limit;
    }

    /** Takes room for {@code permits} messages; false if {@code running} turns false first. */
    boolean awaitRoom(int permits, BooleanSupplier running) throws InterruptedException {
        if (room.tryAcquire(permits)) {
            return true;
        }
        while (running.getAsBoolean()) {
            // counted per attempt, so the metric rises while a poller is still waiting
            long since = System.nanoTime();
            boolean got = room.tryAcquire(permits, 200, TimeUnit.MILLISECONDS);
            metrics.roomWaited(System.nanoTime() - since);
            if (got) {
                return true;
            }
        }
        return false;
    }

    /** Of the room {@code taken} for a receive, {@code received} messages are now in flight; the rest is freed. */
    void received(int taken, int received) {
        room.release(taken - received);
        unsettled.addAndGet(received);
    }

    /** {@code messages} were deleted or left for redelivery: their room is free again. */
    void settled(int messages) {
        unsettled.addAndGet(-messages);
        room.release(messages);
    }

    /** Waits (until the deadline) for every message in flight to settle; returns how many are still in work. */
    int awaitSettled(long deadlineNanos) throws InterruptedException {
        if (room.tryAcquire(limit, Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            room.release(limit);
            return 0;
        }
        return limit - room.availablePermits();
    }
}
