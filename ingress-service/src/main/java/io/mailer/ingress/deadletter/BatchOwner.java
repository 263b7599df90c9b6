package io.mailer.ingress.deadletter;

import io.mailer.ingress.auth.TenantScope;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Whether a batch without dead letters in scope is one the caller may see (answered with an empty
 * list) or not (404, exactly like a missing batch: another tenant's batch ids reveal nothing).
 * Asked only when the dead-letter topic held nothing for the scope, so listing dead letters of a
 * batch that has some needs Kafka only.
 */
@Component
class BatchOwner {

    private final DatabaseClient db;

    BatchOwner(DatabaseClient db) {
        this.db = db;
    }

    Mono<Boolean> visible(String batchId, TenantScope scope) {
        return db.sql("SELECT tenant_id FROM batch WHERE id = :id").bind("id", batchId)
                .map(row -> row.get("tenant_id", String.class))
                .one()
                .map(scope::includes)
                .defaultIfEmpty(false);
    }
}
