package io.mailer.dispatcher.ratelimit;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * The account's global send rate, shared by every replica without talking to each other per send:
 * this replica may have at most
 * <pre>limit = floor(global × share × aimd × headroom)</pre>
 * recipients in its {@link CallWindow} (calls in flight + answered calls until one second after the
 * latest moment SES can have counted them),
 * and its call starts are spaced {@code recipients/rate} apart so the window fills evenly, never in a
 * burst (no tokens are stored while idle). Callers wait in one FIFO queue served by one timer, so a
 * rate change applies at once to the calls already waiting. {@code share} = owned {@code sends} partitions / all partitions; {@code global} is
 * {@code SES_MAX_SEND_RATE}, else GetAccount's MaxSendRate; {@code aimd} starts at 1, each 429
 * multiplies it by {@code decrease} (at most once per second) and every second it grows back by
 * {@code increase} up to 1.
 *
 * <p>Why the replicas' windows never add up to more than {@code global}: a partition belongs to one
 * consumer at a time (its old owner's revoke callback returns before the new owner's assign callback
 * runs, and that callback first finishes the outstanding poll, every call answered), so the shares
 * held at any instant sum to at most 1. A share <em>decrease</em> applies at once; an <em>increase</em>
 * applies only after {@link #SHARE_GRACE} without further change, so the calls the previous owner made
 * with that share have left every one-second window before this replica uses it. A replica starts
 * with share 0.
 */
public final class SharedRateLimiter implements RateLimiter {

    /** A share of 0 (no partitions) would stall stray calls forever; they go at this slow rate. */
    private static final double MIN_RATE = 0.1;
    private static final double MIN_AIMD = 0.05;
    /**
     * No margin below the account's rate: the call window's bound holds for any observer that counts
     * a call at a moment between its start and the window's arrival bound, which is where SES counts it. Kept as a
     * constant to make the formula explicit (and to lower it if SES ever counted otherwise).
     */
    public static final double HEADROOM = 1.0;
    /** One window (1 s) plus a margin: how long a share increase waits before it is used. */
    public static final long SHARE_GRACE_NANOS = 1_100_000_000L;
    public static final java.time.Duration SHARE_GRACE = java.time.Duration.ofNanos(SHARE_GRACE_NANOS);

    private final CallWindow window;
    private final TurnTimes times = new TurnTimes();
    /** Calls waiting for their turn, first come first served. */
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    /** When the next call may start (spacing), and what the last start took, to re-space on a rate change. */
    private long nextStartNanos;
    /** The most of a late start that the next spacing makes up for (see serve). */
    static final long MAX_LATENESS_CREDIT_NANOS = 5_000_000L;
    private long lastStartNanos;
    private int lastStartRecipients;
    /** When the pending timer fires; Long.MAX_VALUE = none pending. */
    private long timerAtNanos = Long.MAX_VALUE;
    private final ScheduledExecutorService scheduler;
    private final LongSupplier nanoTime;
    private final double decrease;
    private final double increase;
    private volatile double globalRate;
    /** The share of the current assignment; used once it held for SHARE_GRACE. */
    private double targetShare;
    /** The share in force until then: the smallest share held during the last SHARE_GRACE. */
    private double heldShare;
    private long shareChangedNanos;
    private volatile double aimd = 1.0;
    private volatile double rate;
    private long lastDecreaseNanos = Long.MIN_VALUE;
    private long lastStepNanos;

    public SharedRateLimiter(double globalRate, double decrease, double increase,
            ScheduledExecutorService scheduler, LongSupplier nanoTime) {
        this(globalRate, decrease, increase, scheduler, nanoTime, WindowEnd.FASTEST_MIDPOINT);
    }

    /** {@code windowEnd}: until when an answered call counts, see {@link WindowEnd}. */
    public SharedRateLimiter(double globalRate, double decrease, double increase,
            ScheduledExecutorService scheduler, LongSupplier nanoTime, WindowEnd windowEnd) {
        this.globalRate = globalRate;
        this.decrease = decrease;
        this.increase = increase;
        this.scheduler = scheduler;
        this.nanoTime = nanoTime;
        this.lastStepNanos = nanoTime.getAsLong();
        this.shareChangedNanos = lastStepNanos;
        this.rate = effective(globalRate, 0, aimd);
        this.nextStartNanos = lastStepNanos;
        this.lastStartNanos = lastStepNanos;
        this.window = new CallWindow(nanoTime, windowEnd);
    }

    private record Waiter(CompletableFuture<RatePermit> ready, int recipients) {
    }

    /**
     * A started call's place in the window. The request's moment is the permit's grant until the SES
     * client says it is transmitting (later, so the window's arrival bound only moves later).
     */
    private final class WindowPermit implements RatePermit {
        private final int recipients;
        private final long grantedAtNanos;
        private volatile long sentAtNanos;
        private final AtomicBoolean released = new AtomicBoolean();

        WindowPermit(int recipients, long grantedAtNanos) {
            this.recipients = recipients;
            this.grantedAtNanos = grantedAtNanos;
            this.sentAtNanos = grantedAtNanos;
        }

        @Override
        public void transmitting() {
            if (!released.get()) {
                sentAtNanos = nanoTime.getAsLong();
            }
        }

        @Override
        public void release() {
            if (released.compareAndSet(false, true)) {
                long answeredAt = nanoTime.getAsLong();
                long sentAt = sentAtNanos;
                times.answered(grantedAtNanos, sentAt, answeredAt, window.answered(recipients, sentAt));
            }
        }

        @Override
        public void unused() {
            if (released.compareAndSet(false, true)) {
                window.unused(recipients);
                // the place is free now: the next call need not wait for an expiry
                serve(false);
            }
        }
    }

    @Override
    public CompletableFuture<RatePermit> acquire(int recipients) {
        refresh();
        Waiter waiter = new Waiter(new CompletableFuture<>(), recipients);
        synchronized (this) {
            waiters.addLast(waiter);
        }
        serve(false);
        return waiter.ready();
    }

    /**
     * Starts the calls at the head of the queue whose turn has come (spacing and window allow), then
     * sets the timer for the next one. Completions run outside the lock: they start SES calls.
     */
    private void serve(boolean fromTimer) {
        List<Waiter> started = new ArrayList<>();
        synchronized (this) {
            long dueAt = fromTimer ? timerAtNanos : Long.MAX_VALUE;
            if (fromTimer) {
                timerAtNanos = Long.MAX_VALUE;
            }
            refresh();
            while (!waiters.isEmpty()) {
                long now = nanoTime.getAsLong();
                if (now < nextStartNanos) {
                    wakeUpIn(nextStartNanos - now);
                    break;
                }
                Waiter head = waiters.peekFirst();
                long wait = window.tryStart(head.recipients(), limit());
                if (wait > 0) {
                    times.waitedForWindow();
                    wakeUpIn(wait);
                    break;
                }
                waiters.pollFirst();
                times.turn(dueAt == Long.MAX_VALUE ? 0 : now - dueAt);
                dueAt = Long.MAX_VALUE;
                lastStartNanos = now;
                lastStartRecipients = head.recipients();
                // spaced from when this start was due, not from when the timer fired: a timer a
                // fraction of a millisecond late at every 10 ms turn would otherwise lose that much of
                // the rate for good. The credit is capped, so an idle limiter stores no burst; the
                // one-second window below keeps the hard bound either way
                long late = Math.min(now - nextStartNanos, MAX_LATENESS_CREDIT_NANOS);
                nextStartNanos = now - Math.max(0, late) + spacing(head.recipients());
                started.add(head);
            }
        }
        for (Waiter w : started) {
            // granted now, not when counted: the later moment, the safer arrival bound
            w.ready().complete(new WindowPermit(w.recipients(), nanoTime.getAsLong()));
        }
    }

    private void wakeUpIn(long nanos) {
        long at = nanoTime.getAsLong() + nanos;
        if (at >= timerAtNanos) {
            return;
        }
        timerAtNanos = at;
        try {
            scheduler.schedule(() -> serve(true), nanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // shutting down: the waiting calls' sends end as deferred by the send gate
        }
    }

    private long spacing(int recipients) {
        return (long) (recipients * 1_000_000_000.0 / rate);
    }

    /** Recipients this replica may have in its one-second window now. */
    private synchronized int limit() {
        refresh();
        return Math.max(1, (int) Math.floor(rate));
    }

    @Override
    public int maxRecipientsPerCall() {
        return limit();
    }

    @Override
    public synchronized void onThrottled() {
        refresh();
        long now = nanoTime.getAsLong();
        if (lastDecreaseNanos != Long.MIN_VALUE && now - lastDecreaseNanos < 1_000_000_000L) {
            return;
        }
        lastDecreaseNanos = now;
        // the additive increase counts from the decrease: a lowered rate holds for at least a second
        lastStepNanos = now;
        aimd = Math.max(MIN_AIMD, aimd * decrease);
        apply(now);
    }

    /**
     * This replica's part of the global rate: assigned partitions / all partitions of {@code sends}.
     * Called from the rebalance listener: on revoke (before the partitions are given away) and on
     * assignment.
     */
    public synchronized void setShare(int assignedPartitions, int totalPartitions) {
        double share = totalPartitions <= 0 ? 0 : Math.min(1.0, (double) assignedPartitions / totalPartitions);
        long now = nanoTime.getAsLong();
        heldShare = Math.min(shareAt(now), share);
        targetShare = share;
        shareChangedNanos = now;
        apply(now);
        if (targetShare > heldShare) {
            // the increase is due then, whether or not a call asks (calls may all be waiting)
            try {
                scheduler.schedule(() -> serve(true), SHARE_GRACE_NANOS, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                // shutting down
            }
        }
    }

    /** The account's rate (SES_MAX_SEND_RATE or GetAccount MaxSendRate). */
    public synchronized void setGlobalRate(double rate) {
        if (rate > 0 && rate != globalRate) {
            globalRate = rate;
            apply(nanoTime.getAsLong());
        }
    }

    /** The rate this replica paces at now, per second. */
    public double currentRate() {
        refresh();
        return rate;
    }

    public double globalRate() {
        return globalRate;
    }

    /** The AIMD factor: 1 = full share; below 1 after throttling. */
    public double aimdFactor() {
        refresh();
        return aimd;
    }

    /** Where the rate goes: lateness, our client's time, round trips, places held. */
    public TurnTimes turnTimes() {
        return times;
    }

    /** Calls waiting for their turn now. */
    public synchronized int waiting() {
        return waiters.size();
    }

    /** Recipients counted in the window now (in flight + answered within the last second). */
    public long inWindow() {
        return window.counted();
    }

    /** Additive increase and deferred share increases, computed from the clock (no timer). */
    private synchronized void refresh() {
        long now = nanoTime.getAsLong();
        boolean changed = false;
        long steps = (now - lastStepNanos) / 1_000_000_000L;
        if (steps > 0) {
            lastStepNanos += steps * 1_000_000_000L;
            if (aimd < 1.0) {
                aimd = Math.min(1.0, aimd + steps * increase);
                changed = true;
            }
        }
        if (heldShare != targetShare && now - shareChangedNanos >= SHARE_GRACE_NANOS) {
            heldShare = targetShare;
            changed = true;
        }
        if (changed) {
            apply(now);
        }
    }

    private double shareAt(long now) {
        return now - shareChangedNanos >= SHARE_GRACE_NANOS ? targetShare : heldShare;
    }

    private void apply(long now) {
        double before = rate;
        rate = effective(globalRate, shareAt(now), aimd);
        if (rate != before) {
            // re-space from the last start at the new rate, and look at the queue again now
            nextStartNanos = lastStartNanos + spacing(lastStartRecipients);
            if (!waiters.isEmpty()) {
                wakeUpIn(0);
            }
        }
    }

    static double effective(double global, double share, double aimd) {
        return Math.max(MIN_RATE, global * share * aimd * HEADROOM);
    }
}
