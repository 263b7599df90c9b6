package io.mailer.ingress.tenant;

import java.util.List;
import java.util.Locale;

/**
 * A tenant's sending policy. {@code allowedSenders} holds lower-case ASCII domains (any address at
 * exactly that domain; subdomains are separate entries) and full addresses; null allows any
 * identity. {@code configurationSet} null: the dispatcher's SES_CONFIGURATION_SET.
 */
public record SenderPolicy(List<String> allowedSenders, String configurationSet) {

    /** No row: any identity, the dispatcher's configuration set (a fresh devstack works unchanged). */
    public static final SenderPolicy ANY = new SenderPolicy(null, null);

    public SenderPolicy {
        allowedSenders = allowedSenders == null ? null : List.copyOf(allowedSenders);
    }

    /** Whether an addr-spec (domain already in Punycode) may be used as from or replyTo. */
    public boolean allows(String asciiAddress) {
        if (allowedSenders == null) {
            return true;
        }
        String address = asciiAddress.toLowerCase(Locale.ROOT);
        String domain = address.substring(address.lastIndexOf('@') + 1);
        return allowedSenders.contains(address) || allowedSenders.contains(domain);
    }
}
