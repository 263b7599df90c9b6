package io.mailer.schemas.events;

import java.time.Instant;

/**
 * A record of the compacted {@code suppressions} topic, keyed by {@link #key(String, String)}.
 * A tombstone (null value) removes the suppression.
 */
public record Suppression(String tenantId, String email, Reason reason, String sourceEventId, Instant createdAt) {

    public enum Reason { BOUNCE, COMPLAINT, UNSUBSCRIBE, MANUAL }

    public Suppression {
        email = EmailAddresses.normalize(email);
    }

    /** Topic key: tenant and normalized address. */
    public static String key(String tenantId, String email) {
        return tenantId + "|" + EmailAddresses.normalize(email);
    }

    public String key() {
        return key(tenantId, email);
    }
}
