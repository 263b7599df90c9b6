package io.mailer.topology.suppression;

import io.mailer.schemas.events.SendRequest;
import io.mailer.schemas.events.Suppression;

/** A send request after the suppression lookup; {@code suppression} is null when sending is allowed. */
public record Screened(SendRequest send, Suppression suppression) {

    public boolean suppressed() {
        return suppression != null;
    }

    /** Reason carried on the SUPPRESSED event, e.g. {@code suppressed:BOUNCE}. */
    public String reason() {
        return "suppressed:" + (suppression.reason() == null ? "UNKNOWN" : suppression.reason().name());
    }
}
