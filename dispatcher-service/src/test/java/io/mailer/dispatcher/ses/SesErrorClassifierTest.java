package io.mailer.dispatcher.ses;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.sesv2.model.SesV2Exception;

class SesErrorClassifierTest {

    private final SesErrorClassifier classifier = new SesErrorClassifier();

    /** The README's classification table, row by row. */
    @ParameterizedTest(name = "{0} ({1}) -> {2}")
    @CsvSource({
            "TooManyRequestsException,         429, THROTTLED",
            "InternalFailure,                  500, RETRYABLE",
            "InternalServiceErrorException,    500, RETRYABLE",
            "ServiceUnavailable,               503, RETRYABLE",
            "SomethingNew,                     502, RETRYABLE",
            "SomethingNew,                     429, THROTTLED",
            "MessageRejected,                  400, PERMANENT",
            "BadRequestException,              400, PERMANENT",
            "NotFoundException,                404, PERMANENT",
            "MailFromDomainNotVerifiedException, 400, PERMANENT",
            "SomethingNew,                     400, PERMANENT",
            "SendingPausedException,           400, ACCOUNT_BLOCKED",
            "AccountSuspendedException,        400, ACCOUNT_BLOCKED",
            "LimitExceededException,           429, ACCOUNT_BLOCKED",
            "AccessDeniedException,            403, OPERATOR",
            "UnrecognizedClientException,      403, OPERATOR",
            "SignatureDoesNotMatch,            403, OPERATOR",
            "SomethingNew,                     403, OPERATOR",
    })
    void shouldClassifyServiceErrorsByCodeThenStatus(String code, int status, SesErrorKind expected) {
        SesError error = classifier.classify(new CompletionException(serviceError(code, status, "because")));

        assertThat(error).isEqualTo(new SesError(code, expected, status, "because"));
        assertThat(error.reason()).isEqualTo("ses:" + code);
    }

    @Test
    void shouldBlameTheOperatorForAMissingConfigurationSetButNotForOtherNotFounds() {
        assertThat(classifier.classify(serviceError("NotFoundException", 404,
                "Configuration set <mailer-events> does not exist.")).kind()).isEqualTo(SesErrorKind.OPERATOR);
        assertThat(classifier.classify(serviceError("NotFoundException", 404, "Template missing")).kind())
                .isEqualTo(SesErrorKind.PERMANENT);
        assertThat(classifier.classifyBulkEntry(software.amazon.awssdk.services.sesv2.model.BulkEmailStatus
                .CONFIGURATION_SET_NOT_FOUND, "gone").kind()).isEqualTo(SesErrorKind.OPERATOR);
    }

    @Test
    void shouldTreatTheDailyQuotaAsAnAccountWaitNotAThrottle() {
        SesError error = classifier.classify(serviceError("TooManyRequestsException", 429,
                "Daily message quota exceeded."));

        assertThat(error.kind()).isEqualTo(SesErrorKind.ACCOUNT_BLOCKED);
    }

    @Test
    void shouldRetryCallsThatGotNoAnswer() {
        assertThat(classifier.classify(new CompletionException(SdkClientException.create("connection refused",
                new IOException("refused")))))
                .isEqualTo(new SesError("NetworkError", SesErrorKind.RETRYABLE, 0, "connection refused"));
        assertThat(classifier.classify(ApiCallTimeoutException.create(20_000)).kind())
                .isEqualTo(SesErrorKind.RETRYABLE);
        assertThat(classifier.classify(ApiCallTimeoutException.create(20_000)).code()).isEqualTo("Timeout");
    }

    @Test
    void shouldFailPermanentlyOnABugOfOurOwn() {
        SesError error = classifier.classify(new NullPointerException("oops"));

        assertThat(error).isEqualTo(new SesError("DispatcherError", SesErrorKind.PERMANENT, 0,
                "NullPointerException: oops"));
    }

    private static SesV2Exception serviceError(String code, int status, String message) {
        return (SesV2Exception) SesV2Exception.builder()
                .statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).build())
                .build();
    }
}
