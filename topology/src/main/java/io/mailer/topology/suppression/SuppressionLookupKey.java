package io.mailer.topology.suppression;

import io.mailer.schemas.events.SendRequest;
import io.mailer.schemas.events.Suppression;
import org.apache.kafka.streams.kstream.KeyValueMapper;

/**
 * Which suppression a send is checked against: the tenant's entry for the normalized address.
 * Tenant in the key is what isolates tenants; {@link Suppression#key} is what makes
 * "Bob@Example.COM" and "bob@example.com" the same entry.
 */
public final class SuppressionLookupKey implements KeyValueMapper<String, SendRequest, String> {

    @Override
    public String apply(String sendId, SendRequest send) {
        return Suppression.key(send.tenantId(), send.email());
    }
}
