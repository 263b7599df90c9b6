package io.mailer.ingress.tenant;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The {@code tenant} table. A tenant exists once it has a policy row or an API key ({@code default} always). */
@Component
class TenantStore {

    /** Every known tenant id: policy rows, key owners and the operator tenant. */
    private static final String TENANT_IDS = "(SELECT id FROM tenant UNION SELECT tenant_id FROM api_key UNION SELECT 'default') ids";

    record TenantRow(String id, SenderPolicy policy) {
    }

    private final DatabaseClient db;

    TenantStore(DatabaseClient db) {
        this.db = db;
    }

    Mono<Optional<SenderPolicy>> policy(String tenantId) {
        return db.sql("SELECT allowed_senders, configuration_set FROM tenant WHERE id = :id").bind("id", tenantId)
                .map(row -> policy(row.get("allowed_senders", String[].class), row.get("configuration_set", String.class)))
                .one()
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty());
    }

    Mono<TenantRow> find(String tenantId) {
        return db.sql("SELECT ids.id, t.allowed_senders, t.configuration_set FROM " + TENANT_IDS
                        + " LEFT JOIN tenant t ON t.id = ids.id WHERE ids.id = :id")
                .bind("id", tenantId)
                .map(row -> new TenantRow(row.get("id", String.class),
                        policy(row.get("allowed_senders", String[].class), row.get("configuration_set", String.class))))
                .one();
    }

    /** Keyset page ordered by id: {@code limit + 1} rows, the extra one says whether there is more. */
    Flux<TenantRow> list(String afterId, int limit) {
        return db.sql("SELECT ids.id, t.allowed_senders, t.configuration_set FROM " + TENANT_IDS
                        + " LEFT JOIN tenant t ON t.id = ids.id WHERE ids.id > :after ORDER BY ids.id LIMIT :limit")
                .bind("after", afterId == null ? "" : afterId).bind("limit", limit + 1)
                .map(row -> new TenantRow(row.get("id", String.class),
                        policy(row.get("allowed_senders", String[].class), row.get("configuration_set", String.class))))
                .all();
    }

    Mono<Void> save(String tenantId, SenderPolicy policy) {
        var spec = db.sql("INSERT INTO tenant (id, allowed_senders, configuration_set) VALUES (:id, :senders, :cs)"
                        + " ON CONFLICT (id) DO UPDATE SET allowed_senders = EXCLUDED.allowed_senders,"
                        + " configuration_set = EXCLUDED.configuration_set, updated_at = now()")
                .bind("id", tenantId);
        spec = policy.allowedSenders() == null ? spec.bindNull("senders", String[].class)
                : spec.bind("senders", policy.allowedSenders().toArray(String[]::new));
        spec = policy.configurationSet() == null ? spec.bindNull("cs", String.class) : spec.bind("cs", policy.configurationSet());
        return spec.fetch().rowsUpdated().then();
    }

    private static SenderPolicy policy(String[] senders, String configurationSet) {
        List<String> allowed = senders == null ? null : Arrays.asList(senders);
        return new SenderPolicy(allowed, configurationSet);
    }
}
