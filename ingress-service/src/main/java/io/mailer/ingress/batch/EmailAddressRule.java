package io.mailer.ingress.batch;

import java.net.IDN;
import java.util.regex.Pattern;

/**
 * Accepts a plain addr-spec within RFC 5321 limits (local part up to 64 octets, whole address up
 * to 254), with an internationalized domain allowed (checked in its ASCII form). Display names,
 * comments and quoted local parts are rejected on purpose: they are where header injection hides.
 */
public final class EmailAddressRule {

    private static final Pattern LOCAL = Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+|[\\p{L}\\p{N}!#$%&'*+/=?^_`{|}~.-]+");
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

    private EmailAddressRule() {
    }

    /** Returns what is wrong with the address, or null when it is acceptable. */
    public static String problem(String address) {
        if (address == null || address.isBlank()) {
            return "is required";
        }
        if (address.length() > 254) {
            return "is longer than 254 characters";
        }
        int at = address.lastIndexOf('@');
        if (at <= 0 || at == address.length() - 1 || address.indexOf('@') != at) {
            return "is not a valid email address";
        }
        String local = address.substring(0, at);
        String domain = address.substring(at + 1);
        if (local.length() > 64) {
            return "has a local part longer than 64 characters";
        }
        if (!LOCAL.matcher(local).matches() || local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
            return "is not a valid email address";
        }
        String ascii;
        try {
            ascii = IDN.toASCII(domain, IDN.ALLOW_UNASSIGNED);
        } catch (IllegalArgumentException e) {
            return "has an invalid domain";
        }
        String[] labels = ascii.split("\\.", -1);
        if (labels.length < 2 || ascii.length() > 253) {
            return "has an invalid domain";
        }
        for (String label : labels) {
            if (!LABEL.matcher(label).matches()) {
                return "has an invalid domain";
            }
        }
        return null;
    }
}
