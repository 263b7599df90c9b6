package io.mailer.dispatcher.ratelimit;

/**
 * One call's turn under the rate limiter. Released when SES's answer (or the call's failure) has
 * arrived: until then, and for one second after, the call counts against the window (see
 * {@link CallWindow}). Releasing twice is harmless.
 */
@FunctionalInterface
public interface RatePermit {

    void release();

    /** For limiters that count nothing. */
    RatePermit NONE = () -> { };
}
