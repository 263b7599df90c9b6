package io.mailer.dispatcher.ratelimit;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The account's global send rate, shared by every replica without talking to each other per send:
 * this replica paces its calls at
 * <pre>global × (assigned sends partitions / all sends partitions) × aimd × headroom</pre>
 * Partitions are assigned to one consumer at a time, so the shares of all replicas never add up to
 * more than 1. {@code global} is {@code SES_MAX_SEND_RATE}, else GetAccount's MaxSendRate
 * (refreshed by the account monitor). {@code aimd} starts at 1: each 429 multiplies it by
 * {@code decrease} (at most once per second, a burst of 429s is one signal), and every second it
 * grows back by {@code increase} up to 1. {@code headroom} (0.975) absorbs network jitter between
 * our call starts and SES's arrival clock. A {@link SlidingWindow} turns the even spacing into a
 * hard bound: never more than the replica's rate in any one-second window of call starts, even
 * when timers fire late together.
 */
public final class SharedRateLimiter implements RateLimiter {

    /** A share of 0 (no partitions) would stall stray calls forever; they go at this slow rate. */
    private static final double MIN_RATE = 0.1;
    private static final double MIN_AIMD = 0.05;
    public static final double HEADROOM = 0.975;

    private final Pacer pacer;
    private final SlidingWindow window;
    private final ScheduledExecutorService scheduler;
    private final LongSupplier nanoTime;
    private final double decrease;
    private final double increase;
    private volatile double globalRate;
    private volatile double share = 1.0;
    private volatile double aimd = 1.0;
    private long lastDecreaseNanos = Long.MIN_VALUE;
    private long lastStepNanos;

    public SharedRateLimiter(double globalRate, double decrease, double increase,
            ScheduledExecutorService scheduler, LongSupplier nanoTime) {
        this.globalRate = globalRate;
        this.decrease = decrease;
        this.increase = increase;
        this.scheduler = scheduler;
        this.nanoTime = nanoTime;
        this.pacer = new Pacer(effective(globalRate, share, aimd), nanoTime);
        this.window = new SlidingWindow(nanoTime);
        this.lastStepNanos = nanoTime.getAsLong();
    }

    @Override
    public CompletableFuture<Void> acquire(int recipients) {
        recover();
        CompletableFuture<Void> ready = new CompletableFuture<>();
        long waitNanos = pacer.reserve(recipients);
        if (waitNanos <= 0) {
            startWhenWindowAllows(ready);
        } else {
            scheduler.schedule(() -> startWhenWindowAllows(ready), waitNanos, TimeUnit.NANOSECONDS);
        }
        return ready;
    }

    private void startWhenWindowAllows(CompletableFuture<Void> ready) {
        long wait = window.tryStart(pacer.ratePerSecond());
        if (wait <= 0) {
            ready.complete(null);
        } else {
            scheduler.schedule(() -> startWhenWindowAllows(ready), wait, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public synchronized void onThrottled() {
        recover();
        long now = nanoTime.getAsLong();
        if (lastDecreaseNanos != Long.MIN_VALUE && now - lastDecreaseNanos < 1_000_000_000L) {
            return;
        }
        lastDecreaseNanos = now;
        // the additive increase counts from the decrease: a lowered rate holds for at least a second
        lastStepNanos = now;
        aimd = Math.max(MIN_AIMD, aimd * decrease);
        apply();
    }

    /** This replica's part of the global rate: assigned partitions / all partitions of {@code sends}. */
    public synchronized void setShare(int assignedPartitions, int totalPartitions) {
        share = totalPartitions <= 0 ? 0 : Math.min(1.0, (double) assignedPartitions / totalPartitions);
        apply();
    }

    /** The account's rate (SES_MAX_SEND_RATE or GetAccount MaxSendRate). */
    public synchronized void setGlobalRate(double rate) {
        if (rate > 0 && rate != globalRate) {
            globalRate = rate;
            apply();
        }
    }

    /** The rate this replica paces at now, per second. */
    public double currentRate() {
        recover();
        return pacer.ratePerSecond();
    }

    public double globalRate() {
        return globalRate;
    }

    /** The AIMD factor: 1 = full share; below 1 after throttling. */
    public double aimdFactor() {
        recover();
        return aimd;
    }

    /** Additive increase, computed from the clock (no timer): {@code increase} per whole second passed. */
    private synchronized void recover() {
        long now = nanoTime.getAsLong();
        long steps = (now - lastStepNanos) / 1_000_000_000L;
        if (steps <= 0) {
            return;
        }
        lastStepNanos += steps * 1_000_000_000L;
        if (aimd < 1.0) {
            aimd = Math.min(1.0, aimd + steps * increase);
            apply();
        }
    }

    private void apply() {
        pacer.setRate(effective(globalRate, share, aimd));
    }

    static double effective(double global, double share, double aimd) {
        return Math.max(MIN_RATE, global * share * aimd * HEADROOM);
    }
}
