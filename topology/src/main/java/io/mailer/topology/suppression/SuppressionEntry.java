package io.mailer.topology.suppression;

import io.mailer.schemas.events.Suppression;

/**
 * What the topology keeps of a {@code suppressions} record: that the key is suppressed, and why.
 *
 * <p>The fan-out reads the table once or twice per recipient; a hit only needs the reason for the
 * SUPPRESSED event. Reading just this field (instead of a whole {@link Suppression}, whose
 * constructor re-normalizes the address) keeps a hit cheap. {@code reason} is null when the
 * record was unreadable: the key alone still suppresses (see {@link FailSafeSuppressionSerde}).
 */
public record SuppressionEntry(Suppression.Reason reason) {

    static final SuppressionEntry UNREADABLE = new SuppressionEntry(null);

    /** Reason carried on the SUPPRESSED event, e.g. {@code suppressed:BOUNCE}. */
    public String eventReason() {
        return "suppressed:" + (reason == null ? "UNKNOWN" : reason.name());
    }
}
