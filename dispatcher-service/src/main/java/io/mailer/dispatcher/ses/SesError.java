package io.mailer.dispatcher.ses;

/**
 * A classified SES failure.
 *
 * @param code       the SES error code (e.g. {@code MessageRejected}, {@code TooManyRequestsException}), or
 *                   a dispatcher code for failures without one ({@code NetworkError}, {@code Timeout})
 * @param kind       what to do about it
 * @param statusCode HTTP status, 0 when no response arrived
 * @param message    SES's message, for logs; never contains credentials
 */
public record SesError(String code, SesErrorKind kind, int statusCode, String message) {

    /** The {@code reason} of a FAILED event for this error. */
    public String reason() {
        return "ses:" + code;
    }
}
