package io.mailer.topology.suppression;

import io.mailer.schemas.events.SendRequest;
import io.mailer.schemas.events.Suppression;

/** A send request after the suppression lookups; {@code suppression} is null when sending is allowed. */
public record Screened(SendRequest send, Suppression suppression) {

    public boolean suppressed() {
        return suppression != null;
    }

    /** The tenant's own suppression wins; the operator-wide one applies when the tenant has none. */
    public Screened orOperatorWide(Suppression operatorWide) {
        return suppressed() || operatorWide == null ? this : new Screened(send, operatorWide);
    }

    /** Reason carried on the SUPPRESSED event, e.g. {@code suppressed:BOUNCE}. */
    public String reason() {
        return "suppressed:" + (suppression.reason() == null ? "UNKNOWN" : suppression.reason().name());
    }
}
