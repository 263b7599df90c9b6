package io.mailer.dispatcher.ratelimit;

import java.util.concurrent.atomic.LongAdder;

/**
 * Where a replica's rate goes, summed over its turns: a turn taken late, the time from the turn to
 * the request going out (our client's work), the request's round trip, and how long a call held its
 * place in the window. Means over {@link #turns()} tell which part keeps the sustained rate below
 * {@code limit}: it is {@code limit / mean(held)} at best.
 */
public final class TurnTimes {

    private final LongAdder turns = new LongAdder();
    private final LongAdder lateNanos = new LongAdder();
    private final LongAdder windowWaits = new LongAdder();
    private final LongAdder toTransmissionNanos = new LongAdder();
    private final LongAdder roundTripNanos = new LongAdder();
    private final LongAdder heldNanos = new LongAdder();

    void turn(long lateNanos) {
        turns.increment();
        this.lateNanos.add(Math.max(0, lateNanos));
    }

    void waitedForWindow() {
        windowWaits.increment();
    }

    void answered(long grantedAt, long sentAt, long answeredAt, long countedUntil) {
        toTransmissionNanos.add(Math.max(0, sentAt - grantedAt));
        roundTripNanos.add(Math.max(0, answeredAt - sentAt));
        heldNanos.add(Math.max(0, countedUntil - grantedAt));
    }

    public long turns() {
        return turns.sum();
    }

    /** Times the head of the queue found the window full (rather than waiting for its spacing). */
    public long windowWaits() {
        return windowWaits.sum();
    }

    public double lateSeconds() {
        return lateNanos.sum() / 1e9;
    }

    public double toTransmissionSeconds() {
        return toTransmissionNanos.sum() / 1e9;
    }

    public double roundTripSeconds() {
        return roundTripNanos.sum() / 1e9;
    }

    public double heldSeconds() {
        return heldNanos.sum() / 1e9;
    }
}
