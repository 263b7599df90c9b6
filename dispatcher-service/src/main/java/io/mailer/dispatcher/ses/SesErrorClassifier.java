package io.mailer.dispatcher.ses;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sesv2.model.BulkEmailStatus;

/**
 * The one place that decides what an SES failure means (the same table is in the README).
 *
 * <p>The error code decides first, because SES names its conditions precisely; the HTTP status is
 * the fallback for codes this table does not know: 429 and 5xx are retryable, any other 4xx is
 * permanent for the message. A call that got no answer at all (connection refused, timeout) is
 * retryable: SES has no idempotency token, so such a retry may send twice; the send ledger of a
 * later issue makes that rare.
 */
public final class SesErrorClassifier {

    private static final Map<String, SesErrorKind> BY_CODE = Map.ofEntries(
            Map.entry("TooManyRequests", SesErrorKind.THROTTLED),
            Map.entry("Throttling", SesErrorKind.THROTTLED),
            Map.entry("InternalServiceError", SesErrorKind.RETRYABLE),
            Map.entry("InternalFailure", SesErrorKind.RETRYABLE),
            Map.entry("ServiceUnavailable", SesErrorKind.RETRYABLE),
            Map.entry("MessageRejected", SesErrorKind.PERMANENT),
            Map.entry("BadRequest", SesErrorKind.PERMANENT),
            Map.entry("NotFound", SesErrorKind.PERMANENT),
            Map.entry("MailFromDomainNotVerified", SesErrorKind.PERMANENT),
            Map.entry("SendingPaused", SesErrorKind.ACCOUNT_BLOCKED),
            Map.entry("AccountSuspended", SesErrorKind.ACCOUNT_BLOCKED),
            // SES's own quota limits (daily quota): waiting minutes helps, failing the send does not
            Map.entry("LimitExceeded", SesErrorKind.ACCOUNT_BLOCKED),
            // IAM and credentials: every send would get the same answer until the operator fixes it
            Map.entry("AccessDenied", SesErrorKind.OPERATOR),
            Map.entry("NotAuthorized", SesErrorKind.OPERATOR),
            Map.entry("UnrecognizedClient", SesErrorKind.OPERATOR),
            Map.entry("InvalidClientTokenId", SesErrorKind.OPERATOR),
            Map.entry("SignatureDoesNotMatch", SesErrorKind.OPERATOR),
            Map.entry("ExpiredToken", SesErrorKind.OPERATOR),
            Map.entry("MissingAuthenticationToken", SesErrorKind.OPERATOR),
            Map.entry("ConfigurationSetDoesNotExist", SesErrorKind.OPERATOR));

    /**
     * SendBulkEmail answers 200 with a status per entry. Each status is mapped to the error code a
     * SendEmail of that one message would have got, so a recipient's FAILED reason and retry
     * treatment are the same in both send modes. {@code FAILED} (unspecified) is permanent, like an
     * unknown 4xx; a status this SDK does not know is retried.
     */
    public SesError classifyBulkEntry(BulkEmailStatus entryStatus, String message) {
        BulkEmailStatus status = entryStatus == null ? BulkEmailStatus.UNKNOWN_TO_SDK_VERSION : entryStatus;
        String code = switch (status) {
            case MESSAGE_REJECTED -> "MessageRejected";
            case MAIL_FROM_DOMAIN_NOT_VERIFIED -> "MailFromDomainNotVerifiedException";
            case CONFIGURATION_SET_NOT_FOUND -> "ConfigurationSetDoesNotExist";
            case TEMPLATE_NOT_FOUND -> "NotFoundException";
            case INVALID_PARAMETER, INVALID_SENDING_POOL_NAME -> "BadRequestException";
            case ACCOUNT_SUSPENDED -> "AccountSuspendedException";
            case ACCOUNT_SENDING_PAUSED, CONFIGURATION_SET_SENDING_PAUSED -> "SendingPausedException";
            case ACCOUNT_THROTTLED -> "TooManyRequestsException";
            case ACCOUNT_DAILY_QUOTA_EXCEEDED -> "LimitExceededException";
            case TRANSIENT_FAILURE -> "InternalFailure";
            case FAILED -> "BulkEntryFailed";
            default -> "BulkEntryStatusUnknown";
        };
        SesErrorKind kind = switch (status) {
            case FAILED -> SesErrorKind.PERMANENT;
            case UNKNOWN_TO_SDK_VERSION -> SesErrorKind.RETRYABLE;
            default -> kind(code, 400, message);
        };
        return new SesError(code, kind, 200, message);
    }

    public SesError classify(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof AwsServiceException e) {
            String code = e.awsErrorDetails() != null && e.awsErrorDetails().errorCode() != null
                    ? e.awsErrorDetails().errorCode() : "HTTP" + e.statusCode();
            String message = e.awsErrorDetails() != null ? e.awsErrorDetails().errorMessage() : e.getMessage();
            return new SesError(code, kind(code, e.statusCode(), message), e.statusCode(), message);
        }
        if (t instanceof ApiCallTimeoutException || t instanceof ApiCallAttemptTimeoutException) {
            return new SesError("Timeout", SesErrorKind.RETRYABLE, 0, t.getMessage());
        }
        if (t instanceof SdkClientException) {
            return new SesError("NetworkError", SesErrorKind.RETRYABLE, 0, t.getMessage());
        }
        // not an SDK failure: a bug on our side, retrying the same input will not help
        return new SesError("DispatcherError", SesErrorKind.PERMANENT, 0, t.getClass().getSimpleName()
                + ": " + t.getMessage());
    }

    static SesErrorKind kind(String code, int status, String message) {
        SesErrorKind byCode = BY_CODE.get(stripException(code));
        if (byCode == SesErrorKind.THROTTLED && message != null
                && message.toLowerCase(Locale.ROOT).contains("daily message quota")) {
            // the 24-hour quota, not the per-second rate: retrying within seconds cannot succeed
            return SesErrorKind.ACCOUNT_BLOCKED;
        }
        if (byCode == SesErrorKind.PERMANENT && "NotFound".equals(stripException(code)) && message != null
                && message.toLowerCase(Locale.ROOT).contains("configuration set")) {
            // SendEmail names a missing configuration set only in the message of a 404
            return SesErrorKind.OPERATOR;
        }
        if (byCode != null) {
            return byCode;
        }
        if (status == 403 || status == 401) {
            return SesErrorKind.OPERATOR;
        }
        if (status == 429) {
            return SesErrorKind.THROTTLED;
        }
        if (status >= 500 || status == 0) {
            return SesErrorKind.RETRYABLE;
        }
        return SesErrorKind.PERMANENT;
    }

    /** SES v2 names most errors {@code XxxException} but some not ({@code MessageRejected}). */
    private static String stripException(String code) {
        return code.endsWith("Exception") ? code.substring(0, code.length() - "Exception".length()) : code;
    }

    private static Throwable unwrap(Throwable t) {
        Throwable current = t;
        while ((current instanceof CompletionException || current instanceof ExecutionException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }
}
