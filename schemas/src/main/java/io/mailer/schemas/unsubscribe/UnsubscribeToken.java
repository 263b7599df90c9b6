package io.mailer.schemas.unsubscribe;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The one-click unsubscribe token (RFC 8058): {@code base64url(tenant|email) + "." +
 * base64url(HMAC-SHA256(secret, tenant|email))}, unpadded. The mailbox provider POSTs it without
 * credentials, so the HMAC is what makes it unforgeable.
 *
 * <p>The dispatcher issues tokens and the ingress verifies them, so the codec lives in {@code schemas}
 * (JDK only). The caller passes the normalized address.
 */
public final class UnsubscribeToken {

    /** Who asked to be unsubscribed. */
    public record Subscriber(String tenantId, String email) {
    }

    private static final String HMAC = "HmacSHA256";
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final SecretKeySpec key;

    public UnsubscribeToken(String secret) {
        if (secret == null || secret.isBlank()) {
            throw new IllegalArgumentException("unsubscribe secret must not be blank");
        }
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), HMAC);
    }

    public String issue(String tenantId, String email) {
        if (tenantId.indexOf('|') >= 0) {
            // tenant ids are [a-z0-9_-]; a '|' would make the payload ambiguous
            throw new IllegalArgumentException("tenant id must not contain '|'");
        }
        byte[] payload = (tenantId + "|" + email).getBytes(StandardCharsets.UTF_8);
        return ENCODER.encodeToString(payload) + "." + ENCODER.encodeToString(mac(payload));
    }

    /** The subscriber named by a genuine token; empty for anything malformed or forged. */
    public Optional<Subscriber> verify(String token) {
        if (token == null) {
            return Optional.empty();
        }
        int dot = token.indexOf('.');
        if (dot <= 0 || dot != token.lastIndexOf('.')) {
            return Optional.empty();
        }
        byte[] payload;
        byte[] signature;
        try {
            payload = DECODER.decode(token.substring(0, dot));
            signature = DECODER.decode(token.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (!MessageDigest.isEqual(mac(payload), signature)) {
            return Optional.empty();
        }
        String text = new String(payload, StandardCharsets.UTF_8);
        int bar = text.indexOf('|');
        if (bar <= 0 || bar == text.length() - 1) {
            return Optional.empty();
        }
        return Optional.of(new Subscriber(text.substring(0, bar), text.substring(bar + 1)));
    }

    private byte[] mac(byte[] payload) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(key);
            return mac.doFinal(payload);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is always available in the JDK", e);
        }
    }
}
