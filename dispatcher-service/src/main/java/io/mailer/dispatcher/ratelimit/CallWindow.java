package io.mailer.dispatcher.ratelimit;

import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.function.LongSupplier;

/**
 * The guarantee behind "never more than N SES calls in any one-second window", whatever the network
 * does between our call and SES's clock.
 *
 * <p>SES counts a call when it arrives, which we cannot see; we only know it lies between the moment
 * the request went out and the moment its answer came back. A call counts while it is in flight and,
 * once answered, until one second after the latest moment it can have arrived ({@link WindowEnd}).
 * A new call may start only while the recipients counted leave room for it. Then any one-second
 * window of SES arrival times holds at most {@code limit} recipients: a call X arriving in the window
 * started no later than the window's end, and every other call arriving in it arrived less than one
 * second before X started, so at X's start it was still counted. Timers firing late together and
 * slow networks only delay calls; they cannot crowd them. Sustained rate = limit / (1 s + the part
 * of a call's latency before the arrival bound).
 */
final class CallWindow {

    private static final long SECOND = 1_000_000_000L;
    /** How soon to look again when every counted call is still in flight (no expiry to wait for). */
    private static final long IN_FLIGHT_POLL = 5_000_000L;
    private static final long FASTEST_PERIOD = 5 * SECOND;
    /** FASTEST_MIDPOINT's allowance for the request's way to SES, before half of the rest. */
    private static final long WAY_THERE = 10_000_000L;

    private final LongSupplier nanoTime;
    private final WindowEnd end;
    /** {countedUntilNanos, recipients} of answered calls still counted, soonest expiry first. */
    private final PriorityQueue<long[]> answered = new PriorityQueue<>(Comparator.comparingLong(e -> e[0]));
    private long answeredRecipients;
    private long inFlightRecipients;
    /** The fastest round trip of the current and of the previous period (FASTEST_MIDPOINT). */
    private long fastestNow = Long.MAX_VALUE;
    private long fastestBefore = Long.MAX_VALUE;
    private long periodStart;

    CallWindow(LongSupplier nanoTime, WindowEnd end) {
        this.nanoTime = nanoTime;
        this.end = end;
        this.periodStart = nanoTime.getAsLong();
    }

    /**
     * Counts a call of {@code recipients} and returns 0, or returns how long to wait before asking
     * again. A call larger than the limit starts only into an empty window (callers split bulk calls
     * to the limit, so this happens only if the limit dropped in between).
     */
    synchronized long tryStart(int recipients, int limit) {
        long now = nanoTime.getAsLong();
        expire(now);
        long used = inFlightRecipients + answeredRecipients;
        if (used + recipients <= limit || used == 0) {
            inFlightRecipients += recipients;
            return 0;
        }
        return answered.isEmpty() ? IN_FLIGHT_POLL : Math.max(1, answered.peek()[0] - now);
    }

    /**
     * The call's answer arrived (or it failed) now; its request went out at {@code sentAtNanos}. It
     * keeps counting for one second after the latest moment it can have reached SES, which it
     * returns.
     */
    synchronized long answered(int recipients, long sentAtNanos) {
        long now = nanoTime.getAsLong();
        inFlightRecipients -= recipients;
        long arrivedBy = end == WindowEnd.ANSWER ? now
                : now - Math.max(0, fastest(now, Math.max(0, now - sentAtNanos)) - WAY_THERE) / 2;
        answered.add(new long[] {arrivedBy + SECOND, recipients});
        answeredRecipients += recipients;
        expire(now);
        return arrivedBy + SECOND;
    }

    /** A started call that never went out: its recipients leave the window at once. */
    synchronized void unused(int recipients) {
        inFlightRecipients -= recipients;
    }

    synchronized long counted() {
        expire(nanoTime.getAsLong());
        return inFlightRecipients + answeredRecipients;
    }

    /** The fastest round trip of the last 5 to 10 s, {@code took} included. */
    private long fastest(long now, long took) {
        if (now - periodStart >= FASTEST_PERIOD) {
            fastestBefore = now - periodStart >= 2 * FASTEST_PERIOD ? Long.MAX_VALUE : fastestNow;
            fastestNow = Long.MAX_VALUE;
            periodStart = now;
        }
        fastestNow = Math.min(fastestNow, took);
        return Math.min(fastestNow, fastestBefore);
    }

    private void expire(long now) {
        while (!answered.isEmpty() && answered.peek()[0] - now <= 0) {
            answeredRecipients -= answered.poll()[1];
        }
    }
}
