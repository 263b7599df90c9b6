package io.mailer.schemas.events;

import java.net.IDN;
import java.util.Locale;

/**
 * The one definition of address normalization, used for suppression keys everywhere.
 *
 * <p>Rule: trim; lower-case the whole address; convert an internationalized domain to its ASCII
 * (punycode) form. Lower-casing the local part is technically lossy (RFC 5321 lets it be case
 * sensitive) but every mailbox provider treats it case-insensitively, and a suppression that
 * misses because of case is the worse failure.
 */
public final class EmailAddresses {

    private EmailAddresses() {
    }

    public static String normalize(String address) {
        if (address == null) {
            return null;
        }
        String trimmed = address.trim();
        int at = trimmed.lastIndexOf('@');
        if (at < 0) {
            return trimmed.toLowerCase(Locale.ROOT);
        }
        String local = trimmed.substring(0, at).toLowerCase(Locale.ROOT);
        String domain = trimmed.substring(at + 1);
        try {
            domain = IDN.toASCII(domain, IDN.ALLOW_UNASSIGNED);
        } catch (IllegalArgumentException notAnIdn) {
            // keep the domain as given; validation rejects truly malformed addresses upstream
        }
        return local + "@" + domain.toLowerCase(Locale.ROOT);
    }
}
