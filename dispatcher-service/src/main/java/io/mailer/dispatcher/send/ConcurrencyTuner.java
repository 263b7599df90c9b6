package io.mailer.dispatcher.send;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;

/**
 * Sizes the two limiters to what the replica's send rate needs at the latency SES and Kafka show now
 * (Little's law: units in flight = rate × time each is held), with twice that as headroom:
 * <ul>
 *   <li>SES calls in flight = calls/s × SES latency × 2 + 2, at most {@code WORKER_CONCURRENCY};</li>
 *   <li>the duplicate window (sends SES may have accepted that are not yet in the ledger: held from
 *       before the call until the ledger write is acknowledged) = sends/s × (SES latency + ledger
 *       ack) × 2 + two calls' worth of sends, at least one full call, at most {@code DUPLICATE_WINDOW}.</li>
 * </ul>
 * So a slow SES raises concurrency by itself (the operator no longer tunes WORKER_CONCURRENCY to
 * the latency: it is a ceiling), and a replica sending slowly keeps a small duplicate window. Latencies
 * are smoothed over the last seconds; until the first answers, 100 ms (SES) and 20 ms (ledger) are assumed.
 */
public final class ConcurrencyTuner {

    static final double HEADROOM = 2.0;
    private static final double SMOOTHING = 0.3;
    private static final int MIN_WINDOW = 50;

    private final InFlightLimiter calls;
    private final InFlightLimiter window;
    private final int maxCalls;
    private final int maxWindow;
    private final DoubleSupplier rate;
    private final LongAdder callNanos = new LongAdder();
    private final LongAdder callCount = new LongAdder();
    private final LongAdder callRecipients = new LongAdder();
    private final LongAdder ledgerNanos = new LongAdder();
    private final LongAdder ledgerCount = new LongAdder();
    private double callSeconds = 0.100;
    private double ledgerSeconds = 0.020;
    private double recipientsPerCall = 1;

    /** {@code rate}: this replica's send rate now, recipients per second (infinite when unlimited). */
    public ConcurrencyTuner(InFlightLimiter calls, int maxCalls, int maxWindow, DoubleSupplier rate) {
        this.calls = calls;
        this.window = new InFlightLimiter(Math.max(1, maxWindow));
        this.maxCalls = Math.max(1, maxCalls);
        this.maxWindow = Math.max(1, maxWindow);
        this.rate = rate;
        retune();
    }

    /** An SES call of {@code recipients} answered (or failed) after {@code nanos}. */
    void callAnswered(long nanos, int recipients) {
        callNanos.add(nanos);
        callCount.increment();
        callRecipients.add(recipients);
    }

    /** A ledger write acknowledged after {@code nanos}. */
    void ledgerAcknowledged(long nanos) {
        ledgerNanos.add(nanos);
        ledgerCount.increment();
    }

    /** Folds in what was measured since the last time and sets both limits (called every 250 ms). */
    public synchronized void retune() {
        long n = callCount.sumThenReset();
        long t = callNanos.sumThenReset();
        long r = callRecipients.sumThenReset();
        if (n > 0) {
            callSeconds = smooth(callSeconds, t / 1e9 / n);
            recipientsPerCall = smooth(recipientsPerCall, (double) r / n);
        }
        long ln = ledgerCount.sumThenReset();
        long lt = ledgerNanos.sumThenReset();
        if (ln > 0) {
            ledgerSeconds = smooth(ledgerSeconds, lt / 1e9 / ln);
        }
        double sendsPerSecond = rate.getAsDouble();
        calls.setLimit(callsFor(sendsPerSecond));
        window.setLimit(windowFor(sendsPerSecond));
    }

    int callsFor(double sendsPerSecond) {
        double perSecond = sendsPerSecond / Math.max(1, recipientsPerCall);
        return clamp(perSecond * callSeconds * HEADROOM + 2, 1, maxCalls);
    }

    int windowFor(double sendsPerSecond) {
        int floor = Math.min(maxWindow, MIN_WINDOW);
        double perCall = Math.max(1, recipientsPerCall);
        return clamp(sendsPerSecond * (callSeconds + ledgerSeconds) * HEADROOM + 2 * perCall, floor, maxWindow);
    }

    /** The duplicate window: sends held from before their SES call until their ledger entry is acknowledged. */
    public InFlightLimiter window() {
        return window;
    }

    public int callsLimit() {
        return calls.limit();
    }

    public synchronized double callSeconds() {
        return callSeconds;
    }

    public synchronized double ledgerSeconds() {
        return ledgerSeconds;
    }

    private static double smooth(double old, double sample) {
        return old + SMOOTHING * (sample - old);
    }

    private static int clamp(double value, int min, int max) {
        if (Double.isNaN(value) || value >= max) {
            return max;
        }
        // a hair below the integer: smoothing approaches a steady latency without ever reaching it
        return Math.max(min, (int) Math.ceil(value - 1e-6));
    }
}
