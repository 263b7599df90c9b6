package io.mailer.schemas.webhooks;

import java.time.Instant;

/**
 * A signing secret, {@code whsec_} + base64 of 32 random bytes (Standard Webhooks); {@code expiresAt}
 * null for the current secret, set on the previous one by a rotation. Never printed.
 */
public record WebhookSecret(String secret, Instant expiresAt) {

    public static final String PREFIX = "whsec_";

    /** The key bytes: the base64 part after {@code whsec_}. */
    public byte[] key() {
        String b64 = secret.startsWith(PREFIX) ? secret.substring(PREFIX.length()) : secret;
        return java.util.Base64.getDecoder().decode(b64);
    }

    @Override
    public String toString() {
        return "WebhookSecret[redacted, expiresAt=" + expiresAt + "]";
    }
}
