package io.mailer.dispatcher.send;

/**
 * What became of one send. {@link Sent} and {@link Failed} are final and become delivery events;
 * {@link Deferred} means "not decided here": no event is written and the record is redelivered.
 */
public sealed interface SendOutcome {

    /** Outcome label of the {@code emails_sent_total} metric. */
    String metricLabel();

    /** SES accepted the message. */
    record Sent(String sesMessageId, int attempts) implements SendOutcome {
        @Override
        public String metricLabel() {
            return "sent";
        }
    }

    /** The send will never succeed as it is; {@code reason} is the event's reason (e.g. {@code ses:MessageRejected}). */
    record Failed(String reason, int attempts) implements SendOutcome {
        @Override
        public String metricLabel() {
            return "failed";
        }
    }

    /**
     * Retryable failures outlasted the in-process attempts: hand the send over to the next retry
     * tier ({@code sends-retry-*}) or, after the last tier, to {@code sends-dlt}.
     */
    record RetryLater(String code, int attempts) implements SendOutcome {
        @Override
        public String metricLabel() {
            return "retry";
        }
    }

    /** The batch was cancelled before this send went out: it is skipped (event CANCELLED). */
    record Cancelled() implements SendOutcome {
        @Override
        public String metricLabel() {
            return "cancelled";
        }
    }

    /**
     * The tenant is PAUSED by the reputation guard: the send is parked on {@code sends-held} (no
     * event, not failed) and released to {@code sends}, in order, when the tenant is resumed.
     */
    record Held(String reason) implements SendOutcome {
        @Override
        public String metricLabel() {
            return "held";
        }
    }

    /**
     * The tenant is THROTTLED and this send is past its slice of the rate: parked on a retry tier
     * (no attempt used, tier unchanged) until about {@code delay} from now, then tried again.
     */
    record Throttled(java.time.Duration delay) implements SendOutcome {
        @Override
        public String metricLabel() {
            return "throttled";
        }
    }

    /** Not attempted or abandoned without a verdict (account paused, shutting down); redeliver. */
    record Deferred(String reason) implements SendOutcome {
        @Override
        public String metricLabel() {
            return "deferred";
        }
    }
}
