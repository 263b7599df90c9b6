package io.mailer.feedback.intake.ses;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.feedback.intake.Fixtures;
import io.mailer.feedback.intake.IntakeOutcome;
import io.mailer.feedback.intake.QuarantineReason;
import io.mailer.feedback.intake.sns.SignatureVerifier;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Unwrapping SQS bodies: SNS envelope (parsed twice), raw delivery, and every way a body is refused. */
class NotificationReaderTest {

    private static final String TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-events";

    private final NotificationReader lenient = new NotificationReader(SignatureVerifier.DISABLED, List.of());

    private static QuarantineReason reason(NotificationReader.ReadResult result) {
        assertThat(result).isInstanceOf(NotificationReader.Unread.class);
        return ((IntakeOutcome.Quarantine) ((NotificationReader.Unread) result).outcome()).reason();
    }

    @Test
    void shouldUnwrapSnsEnvelopeAndParseTheEmbeddedSesJson() {
        NotificationReader.ReadResult result = lenient.read(Fixtures.text("sns/bounce-permanent-envelope.json"));
        assertThat(result).isEqualTo(new SesNotification(Fixtures.json("configuration-set/bounce-permanent.json"),
                "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324", TOPIC));
    }

    @Test
    void shouldAcceptRawMessageDeliveryWhenVerificationIsOff() {
        String raw = Fixtures.text("configuration-set/delivery.json");
        assertThat(lenient.read(raw)).isEqualTo(new SesNotification(Fixtures.json("configuration-set/delivery.json"),
                null, null));
    }

    @Test
    void shouldRefuseRawMessageDeliveryWhenVerificationIsOn() {
        NotificationReader strict = new NotificationReader(body -> SignatureVerifier.Verdict.AUTHENTIC, List.of());
        assertThat(reason(strict.read(Fixtures.text("configuration-set/delivery.json"))))
                .isEqualTo(QuarantineReason.UNSIGNED);
    }

    @Test
    void shouldQuarantineBodyThatIsNotJson() {
        assertThat(reason(lenient.read("this is not json {"))).isEqualTo(QuarantineReason.UNPARSABLE);
        assertThat(reason(lenient.read("[1, 2]"))).isEqualTo(QuarantineReason.UNPARSABLE);
    }

    @Test
    void shouldQuarantineEnvelopeWhoseMessageIsNotJson() {
        assertThat(reason(lenient.read(Fixtures.snsEnvelope("Hello from SNS", "m-1"))))
                .isEqualTo(QuarantineReason.UNPARSABLE);
    }

    @Test
    void shouldQuarantineSubscriptionConfirmationForAnOperator() {
        assertThat(reason(lenient.read(Fixtures.text("sns/subscription-confirmation.json"))))
                .isEqualTo(QuarantineReason.NOT_A_NOTIFICATION);
    }

    @Test
    void shouldQuarantineEnvelopeWithBadSignature() {
        NotificationReader strict = new NotificationReader(body -> new SignatureVerifier.Verdict.Invalid("signature mismatch"), List.of());
        assertThat(strict.read(Fixtures.text("sns/bounce-permanent-envelope.json")))
                .isEqualTo(new NotificationReader.Unread(
                        new IntakeOutcome.Quarantine(QuarantineReason.BAD_SIGNATURE, "signature mismatch")));
    }

    @Test
    void shouldRetryEnvelopeWhoseSignatureCannotBeCheckedYet() {
        NotificationReader offline = new NotificationReader(
                body -> new SignatureVerifier.Verdict.Unverifiable("certificate unreachable"), List.of());
        assertThat(offline.read(Fixtures.text("sns/bounce-permanent-envelope.json")))
                .isEqualTo(new NotificationReader.Unread(new IntakeOutcome.Retry("certificate unreachable")));
    }

    @Test
    void shouldQuarantineEnvelopeFromTopicNotListed() {
        NotificationReader pinned = new NotificationReader(SignatureVerifier.DISABLED,
                List.of("arn:aws:sns:us-east-1:123456789012:other-topic"));
        assertThat(reason(pinned.read(Fixtures.text("sns/bounce-permanent-envelope.json"))))
                .isEqualTo(QuarantineReason.UNEXPECTED_TOPIC);
    }

    @Test
    void shouldAcceptEnvelopeFromListedTopic() {
        NotificationReader pinned = new NotificationReader(SignatureVerifier.DISABLED, List.of(TOPIC));
        assertThat(pinned.read(Fixtures.text("sns/bounce-permanent-envelope.json"))).isInstanceOf(SesNotification.class);
    }

    @Test
    void shouldQuarantineJsonThatIsNeitherEnvelopeNorSesEvent() {
        assertThat(reason(lenient.read("{\"hello\":\"world\"}"))).isEqualTo(QuarantineReason.UNKNOWN_TYPE);
    }
}
