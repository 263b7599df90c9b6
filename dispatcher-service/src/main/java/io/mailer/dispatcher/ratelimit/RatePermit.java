package io.mailer.dispatcher.ratelimit;

/**
 * One call's turn under the rate limiter. Released when SES's answer (or the call's failure) has
 * arrived: until then, and for one second after the latest moment SES can have counted it, the call
 * counts against the window (see {@link CallWindow}). Releasing twice is harmless.
 */
@FunctionalInterface
public interface RatePermit {

    void release();

    /**
     * The call never went out (refused at the last moment): its place is given back without
     * counting, instead of holding it for a second as an answered call does.
     */
    default void unused() {
        release();
    }

    /** The SES client is sending the call's request now (it may come well after the grant). */
    default void transmitting() {
    }

    /** For limiters that count nothing. */
    RatePermit NONE = () -> { };
}
