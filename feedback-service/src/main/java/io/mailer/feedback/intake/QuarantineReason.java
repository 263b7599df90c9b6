package io.mailer.feedback.intake;

/**
 * Why an SQS message was diverted to the quarantine topic instead of becoming events. The tag is
 * the value of the {@code reason} record header and of the metric label.
 */
public enum QuarantineReason {
    /** Body or embedded SES message is not JSON. */
    UNPARSABLE("unparsable"),
    /** An SNS envelope whose Type is not Notification (e.g. a SubscriptionConfirmation to confirm by hand). */
    NOT_A_NOTIFICATION("not_a_notification"),
    /** SNS signature or signing certificate invalid. */
    BAD_SIGNATURE("bad_signature"),
    /** A raw (unsigned) SES message while signature verification is on. */
    UNSIGNED("unsigned"),
    /** Signed by SNS, but for a topic not listed in SNS_TOPIC_ARNS. */
    UNEXPECTED_TOPIC("unexpected_topic"),
    /** Neither SNS envelope nor SES event, or an SES type this service does not know. */
    UNKNOWN_TYPE("unknown_type"),
    /** A known SES type that cannot be tied to a Mailer send (no tags/headers) or lacks required fields. */
    UNMAPPABLE("unmappable");

    private final String tag;

    QuarantineReason(String tag) {
        this.tag = tag;
    }

    public String tag() {
        return tag;
    }
}
