package io.mailer.topology.suppression;

import io.mailer.schemas.events.SendRequest;

/** A send request after the suppression lookups; {@code suppression} is null when sending is allowed. */
public record Screened(SendRequest send, SuppressionEntry suppression) {

    public boolean suppressed() {
        return suppression != null;
    }

    /** Reason carried on the SUPPRESSED event, e.g. {@code suppressed:BOUNCE}. */
    public String reason() {
        return suppression.eventReason();
    }
}
