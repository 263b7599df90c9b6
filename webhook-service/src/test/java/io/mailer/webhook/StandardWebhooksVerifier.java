package io.mailer.webhook;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A receiver's verifier written from the Standard Webhooks specification (not from the relay's
 * code): strip {@code whsec_}, base64-decode the key, HMAC-SHA256 over
 * {@code webhook-id + "." + webhook-timestamp + "." + raw body}, base64, and accept when any
 * space-separated {@code v1,<sig>} entry of {@code webhook-signature} matches in constant time and
 * the timestamp is within 5 minutes of now.
 */
final class StandardWebhooksVerifier {

    private final byte[] key;

    StandardWebhooksVerifier(String secret) {
        if (!secret.startsWith("whsec_")) {
            throw new IllegalArgumentException("not a Standard Webhooks secret");
        }
        key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
    }

    boolean verify(String id, String timestamp, String signatureHeader, byte[] body) {
        if (id == null || timestamp == null || signatureHeader == null) {
            return false;
        }
        long ts = Long.parseLong(timestamp);
        if (Math.abs(System.currentTimeMillis() / 1000 - ts) > 300) {
            return false;
        }
        byte[] expected;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            expected = Base64.getEncoder().encode(mac.doFinal(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        for (String part : signatureHeader.split(" ")) {
            int comma = part.indexOf(',');
            if (comma > 0 && part.substring(0, comma).equals("v1")
                    && MessageDigest.isEqual(expected, part.substring(comma + 1).getBytes(StandardCharsets.US_ASCII))) {
                return true;
            }
        }
        return false;
    }
}
