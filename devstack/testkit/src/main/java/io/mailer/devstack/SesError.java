package io.mailer.devstack;

import java.util.Map;

/**
 * An SES v2 error as the REST-JSON protocol returns it: the SDK reads the error code from the
 * {@code x-amzn-ErrorType} header and the message from the body's {@code message}.
 */
record SesError(int status, String code, String message) {

    private static final Map<String, Integer> STATUS_BY_CODE = Map.of(
            "TooManyRequestsException", 429,
            "LimitExceededException", 429,
            "NotFoundException", 404,
            "AccessDeniedException", 403,
            "InternalServiceErrorException", 500,
            "InternalFailure", 500,
            "ServiceUnavailable", 503);

    /** An error whose HTTP status is the one SES uses for that code (400 for the rest). */
    static SesError of(String code, String message) {
        return new SesError(STATUS_BY_CODE.getOrDefault(code, 400), code, message);
    }

    static SesError throttled() {
        return new SesError(429, "TooManyRequestsException", "Maximum sending rate exceeded.");
    }

    static SesError serverError() {
        return new SesError(500, "InternalFailure", "The request processing has failed because of an unknown error (sandbox fault).");
    }

    static SesError sendingPaused() {
        return new SesError(400, "SendingPausedException", "Sending is paused for this account (sandbox fault).");
    }

    /** The SendBulkEmail per-entry status this error becomes. */
    String bulkStatus() {
        return switch (code) {
            case "MessageRejected" -> "MESSAGE_REJECTED";
            case "MailFromDomainNotVerifiedException" -> "MAIL_FROM_DOMAIN_NOT_VERIFIED";
            case "AccountSuspendedException" -> "ACCOUNT_SUSPENDED";
            case "SendingPausedException" -> "ACCOUNT_SENDING_PAUSED";
            case "TooManyRequestsException" -> "ACCOUNT_THROTTLED";
            case "NotFoundException" -> "TEMPLATE_NOT_FOUND";
            case "InternalFailure", "InternalServiceErrorException" -> "TRANSIENT_FAILURE";
            default -> "FAILED";
        };
    }
}
