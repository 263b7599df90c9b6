package io.mailer.dispatcher.ratelimit;

import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/**
 * The hard guarantee behind "never more than N SES calls in any one-second window", whatever the
 * network does between our call start and SES's clock.
 *
 * <p>SES counts a call at the moment it arrives, which we cannot see; we only know it lies between
 * the moment we started the call and the moment its answer came back. So a call occupies the window
 * from its start until one second after its answer: a new call may start only while the recipients
 * of the calls in flight plus those answered within the last second leave room for it. Then any
 * one-second window of SES arrival times holds at most {@code limit} recipients, because every call
 * that can arrive in that window is either in flight or answered less than a second before any
 * later start in it. Timers firing late together, GC pauses and slow networks only delay calls; they
 * cannot crowd them. The price is throughput: sustained rate = limit / (1 s + call latency).
 */
final class CallWindow {

    private static final long SECOND = 1_000_000_000L;
    /** How soon to look again when every counted call is still in flight (no expiry to wait for). */
    private static final long IN_FLIGHT_POLL = 5_000_000L;

    private final LongSupplier nanoTime;
    /** {answeredAtNanos, recipients} of calls answered within the last second, oldest first. */
    private final ArrayDeque<long[]> answered = new ArrayDeque<>();
    private long answeredRecipients;
    private long inFlightRecipients;

    CallWindow(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
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
        return answered.isEmpty() ? IN_FLIGHT_POLL : Math.max(1, answered.peekFirst()[0] + SECOND - now);
    }

    /** The call's answer arrived (or it failed): it keeps counting for one more second. */
    synchronized void answered(int recipients) {
        long now = nanoTime.getAsLong();
        inFlightRecipients -= recipients;
        answered.addLast(new long[] {now, recipients});
        answeredRecipients += recipients;
        expire(now);
    }

    synchronized long counted() {
        expire(nanoTime.getAsLong());
        return inFlightRecipients + answeredRecipients;
    }

    private void expire(long now) {
        while (!answered.isEmpty() && now - answered.peekFirst()[0] >= SECOND) {
            answeredRecipients -= answered.pollFirst()[1];
        }
    }
}
