package io.mailer.webhook.relay;

import io.mailer.schemas.webhooks.WebhookSecret;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.StringJoiner;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks signatures: {@code v1,} + base64(HMAC-SHA256(key, id + "." + timestamp + "." +
 * body)), one per secret, space-separated — during a rotation both the new and the old secret sign,
 * so a receiver holding either verifies.
 */
final class Signer {

    private Signer() {
    }

    public static String signatureHeader(String messageId, long timestampSeconds, byte[] body, List<WebhookSecret> secrets) {
        byte[] prefix = (messageId + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8);
        StringJoiner header = new StringJoiner(" ");
        for (WebhookSecret secret : secrets) {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(secret.key(), "HmacSHA256"));
                mac.update(prefix);
                header.add("v1," + Base64.getEncoder().encodeToString(mac.doFinal(body)));
            } catch (NoSuchAlgorithmException | InvalidKeyException e) {
                throw new IllegalStateException("HmacSHA256 unavailable", e);
            }
        }
        return header.toString();
    }
}
