package io.mailer.topology.suppression;

import io.mailer.schemas.events.Suppression;

/**
 * The two {@code suppressions} keys a recipient of one tenant is checked against: the tenant's own
 * ({@link Suppression#key}) and the operator-wide one ({@link Suppression#operatorWideKey}).
 *
 * <p>Same keys as those functions, computed cheaper: {@code EmailAddresses.normalize} (trim,
 * lower-case, IDN to ASCII) allocates several strings per call, and the fan-out needs two keys for
 * each of a million recipients. An address made only of printable ASCII without upper-case letters
 * is already normalized (trim, lower-casing and {@code IDN.toASCII} leave it as it is), so its keys
 * are the per-tenant prefix plus the address; any other address goes through {@code Suppression}.
 * {@code SuppressionKeysTest} holds this to {@code Suppression.key} for tricky addresses.
 */
public final class SuppressionKeys {

    private final String tenantId;
    private final String tenantPrefix;
    private final String operatorWidePrefix;

    private SuppressionKeys(String tenantId) {
        this.tenantId = tenantId;
        // the key of an empty address is the prefix every normalized address is appended to
        this.tenantPrefix = Suppression.key(tenantId, "");
        this.operatorWidePrefix = Suppression.operatorWideKey("");
    }

    /** The keys of one tenant's recipients (a chunk has one tenant). */
    public static SuppressionKeys of(String tenantId) {
        return new SuppressionKeys(tenantId);
    }

    public String tenantKey(String email) {
        return isNormalized(email) ? tenantPrefix + email : Suppression.key(tenantId, email);
    }

    public String operatorWideKey(String email) {
        return isNormalized(email) ? operatorWidePrefix + email : Suppression.operatorWideKey(email);
    }

    /** Printable ASCII, no upper-case letter, no space: normalization would return it unchanged. */
    static boolean isNormalized(String email) {
        for (int i = 0; i < email.length(); i++) {
            char c = email.charAt(i);
            if (c <= ' ' || c >= 0x7f || (c >= 'A' && c <= 'Z')) {
                return false;
            }
        }
        return true;
    }
}
