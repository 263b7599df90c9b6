package io.mailer.ingress.tenant;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;

/**
 * The sending policy a submission is checked against, cached per tenant for {@link #TTL} so a
 * submission does not query PostgreSQL. Submitting needs Kafka only, so on a PostgreSQL error the
 * last known policy applies (and is re-read after another TTL); a tenant this replica has never
 * loaded gets 503 — guessing "any sender" would bypass its policy — except the operator tenant
 * {@code default}, whose bootstrap key must keep working with PostgreSQL down.
 */
@Component
public class TenantPolicies {

    static final Duration TTL = Duration.ofSeconds(5);
    static final Duration QUERY_TIMEOUT = Duration.ofSeconds(3);
    public static final String OPERATOR_TENANT = "default";

    private final TenantStore store;
    private final Clock clock = Clock.systemUTC();
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    TenantPolicies(TenantStore store) {
        this.store = store;
    }

    public Mono<SenderPolicy> forSubmit(String tenantId) {
        Instant now = clock.instant();
        Cached cached = cache.get(tenantId);
        if (cached != null && cached.loaded().plus(TTL).isAfter(now)) {
            return Mono.just(cached.policy());
        }
        return store.policy(tenantId)
                .timeout(QUERY_TIMEOUT)
                .map(p -> p.orElse(SenderPolicy.ANY))
                .doOnNext(p -> remember(tenantId, p))
                .onErrorResume(e -> {
                    if (cached != null) {
                        remember(tenantId, cached.policy()); // last known; PostgreSQL is tried again after TTL
                        return Mono.just(cached.policy());
                    }
                    if (OPERATOR_TENANT.equals(tenantId)) {
                        return Mono.just(SenderPolicy.ANY);
                    }
                    return Mono.error(new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE,
                            "The sender policy of tenant " + tenantId + " cannot be loaded (PostgreSQL unreachable); retry shortly.", e));
                });
    }

    /** A policy written on this replica applies here at once; other replicas follow within TTL. */
    void remember(String tenantId, SenderPolicy policy) {
        cache.put(tenantId, new Cached(policy, clock.instant()));
    }

    private record Cached(SenderPolicy policy, Instant loaded) {
    }
}
