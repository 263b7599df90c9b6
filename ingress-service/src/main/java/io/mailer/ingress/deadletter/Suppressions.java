package io.mailer.ingress.deadletter;

import io.mailer.schemas.events.EmailAddresses;
import io.mailer.schemas.events.Suppression;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Suppressions that apply to dead letters about to be replayed. A replay goes straight to
 * {@code sends}, past the topology's suppression filter, so an address suppressed since the send
 * was dead-lettered (its tenant's list or the operator-wide {@code *} list) must be caught here.
 * Read from the {@code suppression} view, which follows the topic within about a second.
 */
@Component
class Suppressions {

    private static final String FIND = """
            SELECT tenant_id, email, reason FROM suppression
            WHERE email = ANY(CAST(:emails AS text[])) AND (tenant_id = ANY(CAST(:tenants AS text[])) OR tenant_id = :global)
            """;

    private final DatabaseClient db;

    Suppressions(DatabaseClient db) {
        this.db = db;
    }

    /** Why each suppressed dead letter must not be replayed, by send id; the others are absent. */
    Mono<Map<String, String>> reasons(Collection<DeadLetters.DeadLetter> letters) {
        if (letters.isEmpty()) {
            return Mono.just(Map.of());
        }
        return db.sql(FIND)
                .bind("emails", letters.stream().map(l -> EmailAddresses.normalize(l.email())).distinct().toArray(String[]::new))
                .bind("tenants", letters.stream().map(DeadLetters.DeadLetter::tenantId).distinct().toArray(String[]::new))
                .bind("global", Suppression.OPERATOR_WIDE_TENANT)
                .map(row -> Map.entry(Suppression.key(row.get("tenant_id", String.class), row.get("email", String.class)),
                        row.get("reason", String.class)))
                .all()
                .collectMap(Map.Entry::getKey, Map.Entry::getValue)
                .map(found -> {
                    Map<String, String> why = new HashMap<>();
                    for (DeadLetters.DeadLetter l : letters) {
                        String own = found.get(Suppression.key(l.tenantId(), l.email()));
                        String global = found.get(Suppression.operatorWideKey(l.email()));
                        if (own != null) {
                            why.put(l.sendId(), "the address has a " + own + " suppression");
                        } else if (global != null) {
                            why.put(l.sendId(), "the address is on the operator-wide suppression list (" + global + ")");
                        }
                    }
                    return why;
                });
    }
}
