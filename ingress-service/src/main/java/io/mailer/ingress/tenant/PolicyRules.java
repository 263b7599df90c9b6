package io.mailer.ingress.tenant;

import io.mailer.ingress.web.EmailAddressRule;
import io.mailer.ingress.web.Problems.FieldProblem;
import io.mailer.ingress.web.ValidationException;
import java.net.IDN;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Validates a policy request and stores identities the way submissions compare them: lower-case, Punycode. */
final class PolicyRules {

    static final int MAX_SENDERS = 1000;

    private PolicyRules() {
    }

    static SenderPolicy validated(TenantController.PolicyRequest request) {
        if (request == null) {
            throw new ValidationException(List.of(new FieldProblem("body", "must be a JSON policy object")));
        }
        List<FieldProblem> errors = new ArrayList<>();
        List<String> senders = null;
        if (request.allowedSenders() != null) {
            if (request.allowedSenders().isEmpty()) {
                errors.add(new FieldProblem("allowedSenders", "must name at least one domain or address, or be null (any identity)"));
            } else if (request.allowedSenders().size() > MAX_SENDERS) {
                errors.add(new FieldProblem("allowedSenders", "has more than " + MAX_SENDERS + " entries"));
            } else {
                Set<String> normalized = new LinkedHashSet<>();
                for (int i = 0; i < request.allowedSenders().size(); i++) {
                    String entry = request.allowedSenders().get(i);
                    String value = normalize(entry);
                    if (value == null) {
                        errors.add(new FieldProblem("allowedSenders[" + i + "]",
                                "must be a domain (example.com) or an email address (news@example.com) with an ASCII local part"));
                    } else {
                        normalized.add(value);
                    }
                }
                senders = List.copyOf(normalized);
            }
        }
        String set = request.configurationSet();
        if (set != null && !set.matches("[A-Za-z0-9_-]{1,64}")) {
            errors.add(new FieldProblem("configurationSet", "must be an SES configuration set name ([A-Za-z0-9_-]{1,64})"));
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        return new SenderPolicy(senders, set);
    }

    /** The entry as stored (lower-case, domain in Punycode), or null when it is neither a domain nor an address. */
    static String normalize(String entry) {
        if (entry == null || entry.isBlank()) {
            return null;
        }
        String v = entry.trim();
        boolean address = v.indexOf('@') >= 0;
        String candidate = address ? v : "postmaster@" + v;
        if (EmailAddressRule.problem(candidate) != null) {
            return null;
        }
        int at = candidate.lastIndexOf('@');
        String local = candidate.substring(0, at);
        if (!local.chars().allMatch(c -> c < 0x80)) {
            return null; // SES has no SMTPUTF8: such an identity could never send
        }
        String domain = IDN.toASCII(candidate.substring(at + 1), IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        return address ? local.toLowerCase(Locale.ROOT) + "@" + domain : domain;
    }
}
