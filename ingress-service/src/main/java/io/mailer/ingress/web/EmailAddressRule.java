package io.mailer.ingress.web;

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
        return check(address, true);
    }

    /** The same rule through the regexes and IDN for every address: the reference the fast path must equal. */
    static String problemWithoutFastPath(String address) {
        return check(address, false);
    }

    private static String check(String address, boolean fastPath) {
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
        boolean localOk = fastPath && isAscii(local) ? isAsciiAtext(local) : LOCAL.matcher(local).matches();
        if (!localOk || local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
            return "is not a valid email address";
        }
        if (fastPath && isAscii(domain)) {
            // IDN.toASCII leaves an all-ASCII domain unchanged (it only rejects what the label
            // check below rejects too), so the common case skips it and its allocations
            return isHostname(domain) ? null : "has an invalid domain";
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

    /*
     * Allocation-free equivalents of the patterns for the all-ASCII case: a JSON batch validates
     * up to 10,000 addresses on the request path (see EmailAddressRuleTest for the equivalence).
     */

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** {@code [A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+}: for ASCII input the Unicode alternative of LOCAL adds nothing. */
    private static boolean isAsciiAtext(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!isAlnum(c) && "!#$%&'*+/=?^_`{|}~.-".indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    /** At least two labels matching LABEL, 253 characters at most. */
    private static boolean isHostname(String domain) {
        if (domain.length() > 253) {
            return false;
        }
        int labels = 0;
        int start = 0;
        while (true) {
            int dot = domain.indexOf('.', start);
            int end = dot < 0 ? domain.length() : dot;
            if (!isLabel(domain, start, end)) {
                return false;
            }
            labels++;
            if (dot < 0) {
                return labels >= 2;
            }
            start = dot + 1;
        }
    }

    private static boolean isLabel(String s, int start, int end) {
        int length = end - start;
        if (length < 1 || length > 63 || !isAlnum(s.charAt(start)) || !isAlnum(s.charAt(end - 1))) {
            return false;
        }
        for (int i = start + 1; i < end - 1; i++) {
            if (!isAlnum(s.charAt(i)) && s.charAt(i) != '-') {
                return false;
            }
        }
        return true;
    }

    private static boolean isAlnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
}
