package io.mailer.dispatcher.ratelimit;

/**
 * The latest moment an answered SES call can have reached SES, as far as the {@link CallWindow}
 * assumes: the call counts until one second after it ({@code mailer.dispatcher.rate.window-end}).
 */
public enum WindowEnd {
    /**
     * The answer: no assumption at all. Sustained rate limit / (1 s + latency): 95.2 % of the
     * account's rate at 50 ms.
     */
    ANSWER,
    /**
     * The answer less half of the fastest recent round trip's part beyond 10 ms (the last 5 to
     * 10 s, this call included). The assumption: a request reaches SES within 10 ms (the way there)
     * plus half of what the fastest call took beyond that (SES's work before it counts the call).
     * SES counts a call on arrival, before it builds and stores the message, which is most of
     * an answer's time; a stand-in that answers at once gets no credit at all. Whatever a call
     * takes beyond the fastest (queueing on either side, a busy core, a GC pause) may lie before
     * the arrival, so it is counted as if it did. Sustained rate with a steady latency L:
     * limit / (1 s + L - (L - 10 ms) / 2), 97.1 % at 50 ms, 95 % at 95 ms.
     */
    FASTEST_MIDPOINT
}
