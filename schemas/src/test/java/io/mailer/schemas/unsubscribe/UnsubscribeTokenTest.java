package io.mailer.schemas.unsubscribe;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class UnsubscribeTokenTest {

    private final UnsubscribeToken tokens = new UnsubscribeToken("s3cret");

    @Test
    void shouldIssueTheDocumentedFormat() throws Exception {
        // Given the format: base64url(tenant|email) "." base64url(HMAC-SHA256(secret, tenant|email)), unpadded
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec("s3cret".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        byte[] payload = "acme|ann@example.com".getBytes(StandardCharsets.UTF_8);
        String expected = b64.encodeToString(payload) + "." + b64.encodeToString(mac.doFinal(payload));

        // Then
        assertThat(tokens.issue("acme", "ann@example.com")).isEqualTo(expected).doesNotContain("=", "+", "/");
    }

    @Test
    void shouldVerifyItsOwnTokens() {
        String token = tokens.issue("acme", "ann@example.com");

        assertThat(tokens.verify(token)).contains(new UnsubscribeToken.Subscriber("acme", "ann@example.com"));
    }

    @Test
    void shouldRejectForgedTamperedAndMalformedTokens() {
        String genuine = tokens.issue("acme", "ann@example.com");
        String otherSecret = new UnsubscribeToken("other").issue("acme", "ann@example.com");
        String payloadOfBob = Base64.getUrlEncoder().withoutPadding()
                .encodeToString("acme|bob@example.com".getBytes(StandardCharsets.UTF_8));
        String swappedPayload = payloadOfBob + genuine.substring(genuine.indexOf('.'));

        assertThat(tokens.verify(otherSecret)).isEmpty();
        assertThat(tokens.verify(swappedPayload)).isEmpty();
        assertThat(tokens.verify(genuine + "x")).isEmpty();
        assertThat(tokens.verify("no-dot")).isEmpty();
        assertThat(tokens.verify("a.b.c")).isEmpty();
        assertThat(tokens.verify("!!!.???")).isEmpty();
        assertThat(tokens.verify(null)).isEmpty();
    }
}
