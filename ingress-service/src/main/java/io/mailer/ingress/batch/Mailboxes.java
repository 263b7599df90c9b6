package io.mailer.ingress.batch;

import io.mailer.ingress.web.EmailAddressRule;
import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Puts addresses into the form SES accepts, at submit rather than as failed sends later. SES has no
 * SMTPUTF8: a domain goes as Punycode ({@code IDN.toASCII}), a local part must already be ASCII,
 * and a display name with non-ASCII text must be an RFC 2047 encoded-word. Called on input that
 * passed {@link EmailAddressRule} and {@link #addressProblem}.
 */
final class Mailboxes {

    /** RFC 2047: an encoded-word is at most 75 characters; "=?UTF-8?B?" + "?=" leave 63, i.e. 45 bytes. */
    private static final int WORD_BYTES = 45;
    private static final String SPECIALS = "()<>[]:;@\\,.\"";

    record Mailbox(String displayName, String address) {
    }

    private Mailboxes() {
    }

    /** {@code Name <addr>}, {@code "Name" <addr>} or a bare address. */
    static Mailbox parse(String value) {
        String v = value.trim();
        int lt = v.lastIndexOf('<');
        if (lt >= 0 && v.endsWith(">")) {
            String name = v.substring(0, lt).trim();
            return new Mailbox(name.isEmpty() ? null : name, v.substring(lt + 1, v.length() - 1).trim());
        }
        return new Mailbox(null, v);
    }

    /** What SES would refuse in an address EmailAddressRule accepts, or null. */
    static String addressProblem(String address) {
        String local = address.substring(0, address.lastIndexOf('@'));
        return isAscii(local) ? null : "has a non-ASCII local part, which SES does not accept (no SMTPUTF8)";
    }

    static String displayNameProblem(String name) {
        if (name.length() > 256) {
            return "has a display name longer than 256 characters";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return "has a display name with control characters";
            }
        }
        return null;
    }

    /** The address with an internationalized domain in Punycode; ASCII addresses come back unchanged. */
    static String ascii(String address) {
        int at = address.lastIndexOf('@');
        String domain = address.substring(at + 1);
        return isAscii(domain) ? address : address.substring(0, at + 1) + IDN.toASCII(domain, IDN.ALLOW_UNASSIGNED);
    }

    /** The mailbox as SES takes it: Punycode domain, display name quoted or RFC 2047-encoded as needed. */
    static String format(String value) {
        Mailbox m = parse(value);
        String address = ascii(m.address());
        return m.displayName() == null ? address : encodeDisplayName(unquote(m.displayName())) + " <" + address + ">";
    }

    static String encodeDisplayName(String name) {
        if (!isAscii(name)) {
            return encodedWords(name);
        }
        for (int i = 0; i < name.length(); i++) {
            if (SPECIALS.indexOf(name.charAt(i)) >= 0) {
                return "\"" + name.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
            }
        }
        return name;
    }

    /** RFC 2047 B-encoding in UTF-8, split between code points into words of at most 75 characters. */
    static String encodedWords(String text) {
        StringBuilder out = new StringBuilder();
        int start = 0;
        while (start < text.length()) {
            int end = start;
            int bytes = 0;
            while (end < text.length()) {
                int cp = text.codePointAt(end);
                int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
                if (bytes + n > WORD_BYTES) {
                    break;
                }
                bytes += n;
                end += Character.charCount(cp);
            }
            if (out.length() > 0) {
                out.append(' '); // whitespace between adjacent encoded-words is dropped when decoding
            }
            out.append("=?UTF-8?B?")
                    .append(Base64.getEncoder().encodeToString(text.substring(start, end).getBytes(StandardCharsets.UTF_8)))
                    .append("?=");
            start = end;
        }
        return out.toString();
    }

    private static String unquote(String name) {
        if (name.length() < 2 || !name.startsWith("\"") || !name.endsWith("\"")) {
            return name;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 1; i < name.length() - 1; i++) {
            char c = name.charAt(i);
            if (c == '\\' && i + 1 < name.length() - 1) {
                c = name.charAt(++i);
            }
            b.append(c);
        }
        return b.toString();
    }

    static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }
}
