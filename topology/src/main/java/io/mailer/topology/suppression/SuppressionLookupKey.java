package io.mailer.topology.suppression;

import io.mailer.schemas.events.SendRequest;
import io.mailer.schemas.events.Suppression;
import org.apache.kafka.streams.kstream.KeyValueMapper;

/**
 * Which suppressions a send is checked against: the tenant's entry for the normalized address,
 * then the operator-wide entry ({@link Suppression#OPERATOR_WIDE_TENANT}). Tenant in the key is
 * what isolates tenants; {@link Suppression#key} (through {@code EmailAddresses.normalize}) is
 * what makes "Bob@Example.COM" and "bob@example.com" the same entry.
 */
public final class SuppressionLookupKey {

    private SuppressionLookupKey() {
    }

    public static KeyValueMapper<String, SendRequest, String> tenant() {
        return (sendId, send) -> Suppression.key(send.tenantId(), send.email());
    }

    public static KeyValueMapper<String, Screened, String> operatorWide() {
        return (sendId, screened) -> Suppression.operatorWideKey(screened.send().email());
    }
}
