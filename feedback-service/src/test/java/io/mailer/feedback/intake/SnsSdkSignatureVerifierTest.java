package io.mailer.feedback.intake;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.messagemanager.sns.SnsMessageManager;
import software.amazon.awssdk.regions.Region;

/**
 * The SDK verifier, offline: a certificate URL outside SNS is refused before anything is fetched.
 * (Verifying a genuine signature needs a test certificate; a later issue adds it.)
 */
class SnsSdkSignatureVerifierTest {

    @Test
    void shouldRejectEnvelopeWhoseCertificateUrlIsNotAnSnsHost() {
        SdkHttpClient http = UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(1)).build();
        try (SnsSdkSignatureVerifier verifier = new SnsSdkSignatureVerifier(
                SnsMessageManager.builder().region(Region.US_EAST_1).httpClient(http).build(), http)) {
            assertThat(verifier.problem(Fixtures.text("sns/forged-cert-url.json"))).isPresent();
        }
    }
}
