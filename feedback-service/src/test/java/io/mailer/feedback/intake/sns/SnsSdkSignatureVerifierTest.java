package io.mailer.feedback.intake.sns;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.feedback.intake.Fixtures;
import io.mailer.feedback.intake.IntakeOutcome;
import io.mailer.feedback.intake.QuarantineReason;
import io.mailer.feedback.intake.ses.NotificationReader;
import io.mailer.feedback.intake.ses.SesNotification;
import io.mailer.schemas.kafka.Json;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.messagemanager.sns.SnsMessageManager;
import software.amazon.awssdk.regions.Region;
import tools.jackson.databind.node.ObjectNode;

/**
 * SNS signatures checked by the AWS SDK's {@code SnsMessageManager} end to end, with envelopes
 * signed at test time by a TEST certificate the SDK fetches from the (faked) SNS certificate URL:
 * genuine SignatureVersion 1 and 2 envelopes pass, any tampering is a {@code bad_signature}
 * quarantine, and a genuine envelope from another topic is refused.
 */
class SnsSdkSignatureVerifierTest {

    private static final String SES_JSON = Fixtures.text("configuration-set/bounce-permanent.json");

    private static TestSnsCertificate cert;
    private static SnsSdkSignatureVerifier verifier;

    @BeforeAll
    static void start() {
        cert = TestSnsCertificate.get();
        SdkHttpClient http = cert.certificateServer();
        verifier = new SnsSdkSignatureVerifier(
                SnsMessageManager.builder().region(Region.US_EAST_1).httpClient(http).build(), http);
    }

    @AfterAll
    static void stop() {
        verifier.close();
    }

    private static NotificationReader reader(List<String> topics) {
        return new NotificationReader(verifier, topics);
    }

    private static IntakeOutcome.Quarantine quarantined(NotificationReader.ReadResult result) {
        assertThat(result).isInstanceOf(NotificationReader.Unread.class);
        return (IntakeOutcome.Quarantine) ((NotificationReader.Unread) result).outcome();
    }

    private static String tamper(String envelope, String field, String value) {
        ObjectNode node = (ObjectNode) Json.MAPPER.readTree(envelope);
        node.put(field, value);
        return Json.MAPPER.writeValueAsString(node);
    }

    @Test
    void shouldAcceptGenuineSignatureVersion1And2Envelopes() {
        NotificationReader reader = reader(List.of(TestSnsCertificate.TOPIC_ARN));
        String v1 = cert.signedEnvelope(SES_JSON, "sns-v1", "1", null);
        String v2 = cert.signedEnvelope(SES_JSON, "sns-v2", "2", "Amazon SES Email Event Notification");

        assertThat(reader.read(v1)).isEqualTo(
                new SesNotification(Json.MAPPER.readTree(SES_JSON), "sns-v1", TestSnsCertificate.TOPIC_ARN));
        assertThat(reader.read(v2)).isEqualTo(
                new SesNotification(Json.MAPPER.readTree(SES_JSON), "sns-v2", TestSnsCertificate.TOPIC_ARN));
    }

    @Test
    void shouldQuarantineTamperedEnvelopesAsBadSignature() {
        NotificationReader reader = reader(List.of());
        String genuine = cert.signedEnvelope(SES_JSON, "sns-1", "2", null);
        String otherSignature = Json.MAPPER.readTree(cert.signedEnvelope(SES_JSON, "sns-2", "2", null))
                .get("Signature").asString();

        List<String> tampered = List.of(
                tamper(genuine, "Message", SES_JSON.replace("Permanent", "Transient")),
                tamper(genuine, "MessageId", "sns-replayed"),
                tamper(genuine, "Timestamp", "2026-11-21T10:00:03.000Z"),
                tamper(genuine, "Signature", otherSignature),
                tamper(genuine, "SignatureVersion", "1"),
                tamper(genuine, "SigningCertURL", "https://attacker.example.com/SimpleNotificationService-test.pem"));

        assertThat(tampered).allSatisfy(body ->
                assertThat(quarantined(reader.read(body)).reason()).isEqualTo(QuarantineReason.BAD_SIGNATURE));
    }

    @Test
    void shouldRefuseGenuineEnvelopeFromATopicThatIsNotConfigured() {
        NotificationReader reader = reader(List.of("arn:aws:sns:us-east-1:123456789012:other-topic"));
        assertThat(quarantined(reader.read(cert.signedEnvelope(SES_JSON, "sns-3", "2", null))).reason())
                .isEqualTo(QuarantineReason.UNEXPECTED_TOPIC);
    }

    @Test
    void shouldRejectEnvelopeWhoseCertificateUrlIsNotAnSnsHostWithoutFetchingIt() {
        SdkHttpClient http = UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(1)).build();
        try (SnsSdkSignatureVerifier offline = new SnsSdkSignatureVerifier(
                SnsMessageManager.builder().region(Region.US_EAST_1).httpClient(http).build(), http)) {
            assertThat(offline.verify(Fixtures.text("sns/forged-cert-url.json")))
                    .isInstanceOf(SignatureVerifier.Verdict.Invalid.class);
        }
    }
}
