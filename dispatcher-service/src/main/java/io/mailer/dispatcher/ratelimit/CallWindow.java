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
 * of a call's latency it counts after the arrival bound).
 */
final class CallWindow {

    /** The latest moment a call can have reached SES, as far as the window assumes. */
    enum WindowEnd {
        /**
         * The answer: no assumption at all. Sustained rate limit / (1 s + latency): 95.2 % of the
         * account's rate at 50 ms.
         */
        ANSWER,
        /**
         * Halfway between sending the request and its answer: the request's way to SES takes no longer
         * than SES's work plus the answer's way back. SES counts a call on arrival, before it builds
         * and stores the message, so that work alone is most of an answer's time. Sustained rate
         * limit / (1 s + latency / 2): 97.6 % at 50 ms, 95.2 % at 100 ms.
         */
        MIDPOINT
    }

    private static final long SECOND = 1_000_000_000L;
    /** How soon to look again when every counted call is still in flight (no expiry to wait for). */
    private static final long IN_FLIGHT_POLL = 5_000_000L;

    private final LongSupplier nanoTime;
    private final WindowEnd end;
    /** {countedUntilNanos, recipients} of answered calls still counted, soonest expiry first. */
    private final PriorityQueue<long[]> answered = new PriorityQueue<>(Comparator.comparingLong(e -> e[0]));
    private long answeredRecipients;
    private long inFlightRecipients;

    CallWindow(LongSupplier nanoTime, WindowEnd end) {
        this.nanoTime = nanoTime;
        this.end = end;
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
     * keeps counting for one second after the latest moment it can have reached SES.
     */
    synchronized void answered(int recipients, long sentAtNanos) {
        long now = nanoTime.getAsLong();
        inFlightRecipients -= recipients;
        long arrivedBy = end == WindowEnd.ANSWER ? now : sentAtNanos + Math.max(0, now - sentAtNanos) / 2;
        answered.add(new long[] {arrivedBy + SECOND, recipients});
        answeredRecipients += recipients;
        expire(now);
    }

    synchronized long counted() {
        expire(nanoTime.getAsLong());
        return inFlightRecipients + answeredRecipients;
    }

    private void expire(long now) {
        while (!answered.isEmpty() && answered.peek()[0] - now <= 0) {
            answeredRecipients -= answered.poll()[1];
        }
    }
}
