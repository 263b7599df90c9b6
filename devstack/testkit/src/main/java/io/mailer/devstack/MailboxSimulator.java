package io.mailer.devstack;

import java.util.Locale;

/**
 * What happens to a recipient after SES accepted the message, following the SES mailbox
 * simulator ({@code <local>[+label]@simulator.amazonses.com}). Every other address is delivered.
 */
enum MailboxSimulator {
    DELIVERED,
    BOUNCED,
    ON_SUPPRESSION_LIST,
    DELIVERED_THEN_COMPLAINED;

    static final String DOMAIN = "simulator.amazonses.com";

    static MailboxSimulator outcomeFor(String address) {
        String normalized = SesEvents.bareAddress(address).toLowerCase(Locale.ROOT);
        int at = normalized.lastIndexOf('@');
        if (at < 0 || !normalized.substring(at + 1).equals(DOMAIN)) {
            return DELIVERED;
        }
        String local = normalized.substring(0, at);
        int plus = local.indexOf('+');
        if (plus >= 0) {
            local = local.substring(0, plus);
        }
        return switch (local) {
            case "bounce" -> BOUNCED;
            case "suppressionlist" -> ON_SUPPRESSION_LIST;
            case "complaint" -> DELIVERED_THEN_COMPLAINED;
            default -> DELIVERED; // success, ooto and anything else
        };
    }
}
