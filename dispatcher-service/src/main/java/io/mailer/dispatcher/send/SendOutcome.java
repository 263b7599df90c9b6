package io.mailer.dispatcher.send;

/**
 * What became of one send. {@link Sent} and {@link Failed} are final and become delivery events;
 * {@link Deferred} means "not decided here": no event is written and the record is redelivered.
 * The retry-topic tier of a later issue adds its own variant (hand over to {@code sends-retry-*}).
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

    /** Not attempted or abandoned without a verdict (account paused, shutting down); redeliver. */
    record Deferred(String reason) implements SendOutcome {
        @Override
        public String metricLabel() {
            return "deferred";
        }
    }
}
