package io.mailer.dispatcher.send;

import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.events.SendRequest;

/**
 * Bounds the memory of sends rendered and not yet answered by SES. Each recipient's message is
 * rendered before its call (and copied into the call's request), so a poll of 2,000 sends of a 50 KB
 * template holds ~200 MB; with outstanding polls, more than a 512 MB heap. Preparing a send first
 * takes its estimated size from this budget and waits (on the consumer thread: backpressure on the
 * poll, never on another tenant's sends already prepared) until earlier sends are answered.
 *
 * <p>Bound: at most {@code limit} characters counted, or one send when nothing else is counted (a send
 * larger than the limit is never stuck). A send counts twice the length of its message's subject, html
 * and text (the rendered parts and their copy in the request) plus {@value #PER_SEND} for the rest.
 */
public final class PreparedMessages {

    static final int PER_SEND = 2_048;

    private final long limit;
    private long counted;
    private long waits;

    public PreparedMessages(long limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1");
        }
        this.limit = limit;
    }

    /** The default: an eighth of the heap (64 MB with {@code -Xmx512m}). */
    public static PreparedMessages ofHeap() {
        return new PreparedMessages(Runtime.getRuntime().maxMemory() / 8);
    }

    static long size(SendRequest send) {
        MessageContent m = send.message();
        return m == null ? PER_SEND : PER_SEND + 2L * (length(m.subject()) + length(m.html()) + length(m.text()));
    }

    /** Counts {@code size} if it fits now; otherwise counts nothing and returns false. */
    synchronized boolean tryTake(long size) {
        if (counted > 0 && counted + size > limit) {
            return false;
        }
        counted += size;
        return true;
    }

    /** Waits until {@code size} fits, then counts it; an interrupt ends the wait early (the send goes on). */
    synchronized void take(long size) {
        waits++;
        while (counted > 0 && counted + size > limit) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        counted += size;
    }

    synchronized void giveBack(long size) {
        counted -= size;
        notifyAll();
    }

    public synchronized long counted() {
        return counted;
    }

    public long limit() {
        return limit;
    }

    /** Times a send had to wait for earlier sends to be answered. */
    public synchronized long waits() {
        return waits;
    }

    private static int length(String s) {
        return s == null ? 0 : s.length();
    }
}
