package io.mailer.dispatcher.ses;

/** What a failed SES call means for the send and for the dispatcher. See README, "Error classification". */
public enum SesErrorKind {
    /** Server-side or network trouble: try the same send again after a backoff. */
    RETRYABLE,
    /** The account's send rate was exceeded: try again after a backoff, on a separate budget. */
    THROTTLED,
    /** SES will never accept this message as it is: fail the send now. */
    PERMANENT,
    /** The account cannot send at all right now: fail nothing, stop sending and try again later. */
    ACCOUNT_BLOCKED,
    /**
     * Mailer's own setup refuses every send (IAM denies the call, the credentials are wrong, the
     * configuration set does not exist): the operator's error, not the recipient's. Fail nothing,
     * pause sending, say why in readiness, a metric and the log, and try again after the pause.
     */
    OPERATOR
}
