package io.mailer.dispatcher.send;

import io.mailer.dispatcher.ses.SesErrorKind;

/** SES attempts of one send so far, by what they ended in: errors and throttling have separate budgets. */
record Attempts(int total, int errors, int throttled) {

    static final Attempts NONE = new Attempts(0, 0, 0);

    /** One more attempt that ended in {@code kind} (null = accepted). */
    Attempts after(SesErrorKind kind) {
        return new Attempts(total + 1,
                errors + (kind == SesErrorKind.RETRYABLE ? 1 : 0),
                throttled + (kind == SesErrorKind.THROTTLED ? 1 : 0));
    }
}
