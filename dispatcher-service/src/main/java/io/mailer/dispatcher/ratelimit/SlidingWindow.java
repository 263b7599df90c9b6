package io.mailer.dispatcher.ratelimit;

import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/**
 * The hard guarantee behind the pacer: at most {@code floor(rate)} call starts in any one-second
 * window. The pacer spaces calls evenly, but timers that fire late (a GC pause, a busy core) fire
 * together; this guard delays whatever would exceed the window instead of letting the burst out.
 */
final class SlidingWindow {

    private static final long SECOND = 1_000_000_000L;

    private final LongSupplier nanoTime;
    private final ArrayDeque<Long> starts = new ArrayDeque<>();

    SlidingWindow(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** Records a start and returns 0, or returns how long to wait before asking again. */
    synchronized long tryStart(double ratePerSecond) {
        long now = nanoTime.getAsLong();
        while (!starts.isEmpty() && now - starts.peekFirst() >= SECOND) {
            starts.pollFirst();
        }
        int allowed = Math.max(1, (int) Math.floor(ratePerSecond));
        if (starts.size() < allowed) {
            starts.addLast(now);
            return 0;
        }
        // the oldest start leaves the window at peekFirst + 1 s
        return Math.max(1, starts.peekFirst() + SECOND - now);
    }
}
