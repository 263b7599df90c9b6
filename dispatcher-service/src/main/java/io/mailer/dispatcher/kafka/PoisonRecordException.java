package io.mailer.dispatcher.kafka;

/**
 * A {@code sends} record that is not a send request (unreadable JSON, wrong shape, tombstone).
 * Never retried: it goes to {@code sends-dlt} with {@link #reason()} and the partition moves on.
 */
public class PoisonRecordException extends RuntimeException {

    private final String reason;

    public PoisonRecordException(String reason, String detail, Throwable cause) {
        super(reason + ": " + detail, cause);
        this.reason = reason;
    }

    /** Short metric label: {@code deserialization} or {@code tombstone}. */
    public String reason() {
        return reason;
    }
}
