package io.mailer.schemas.events;

import java.time.Instant;

/**
 * A record of the compacted {@code suppressions} topic, keyed by {@link #key(String, String)}.
 * A tombstone (null value) removes the suppression.
 */
public record Suppression(String tenantId, String email, Reason reason, String sourceEventId, Instant createdAt) {

    public enum Reason { BOUNCE, COMPLAINT, UNSUBSCRIBE, MANUAL }

    /**
     * The tenant id of the operator-wide list: a suppression written under this tenant applies to
     * every tenant (key {@code "*|" + normalized address}). {@code *} can never be a real tenant id
     * (tenant ids match {@code [a-z0-9_-]{1,64}}).
     */
    public static final String OPERATOR_WIDE_TENANT = "*";

    public Suppression {
        email = EmailAddresses.normalize(email);
    }

    /** Topic key: tenant and normalized address. */
    public static String key(String tenantId, String email) {
        return tenantId + "|" + EmailAddresses.normalize(email);
    }

    /** Topic key of the operator-wide suppression of this address. */
    public static String operatorWideKey(String email) {
        return key(OPERATOR_WIDE_TENANT, email);
    }

    public String key() {
        return key(tenantId, email);
    }
}
