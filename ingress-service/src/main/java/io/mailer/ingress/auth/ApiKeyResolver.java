package io.mailer.ingress.auth;

import io.mailer.ingress.system.IngressProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.springframework.http.HttpStatus;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Resolves a bearer key to its principal. The bootstrap admin key is compared in constant time;
 * other keys are looked up by digest in {@code api_key} and cached briefly, so authentication does
 * not hit PostgreSQL on every request while a revocation still takes effect within seconds.
 */
@Component
public class ApiKeyResolver {

    static final Duration CACHE_TTL = Duration.ofSeconds(5);
    /** While PostgreSQL is down, a key seen this recently still authenticates (submissions need Kafka only). */
    static final Duration STALE_IF_ERROR = Duration.ofMinutes(15);
    private static final String BOOTSTRAP_TENANT = "default";

    private final DatabaseClient db;
    private final String bootstrapDigest;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public ApiKeyResolver(DatabaseClient db, IngressProperties props) {
        this.db = db;
        String key = props.bootstrapAdminKey();
        this.bootstrapDigest = key == null || key.isBlank() ? null : ApiKeyHasher.sha256Hex(key.trim());
    }

    public Mono<ApiPrincipal> resolve(String presentedKey) {
        String digest = ApiKeyHasher.sha256Hex(presentedKey);
        if (bootstrapDigest != null && ApiKeyHasher.sameDigest(bootstrapDigest, digest)) {
            return Mono.just(new ApiPrincipal("bootstrap", BOOTSTRAP_TENANT, EnumSet.allOf(ApiPrincipal.Scope.class)));
        }
        Cached cached = cache.get(digest);
        Instant now = Instant.now();
        if (cached != null && cached.loaded.plus(CACHE_TTL).isAfter(now)) {
            return Mono.justOrEmpty(cached.principal);
        }
        // refreshing at most every CACHE_TTL also records last use at that precision
        return db.sql("UPDATE api_key SET last_used_at = now() WHERE hash = :hash AND revoked_at IS NULL"
                        + " RETURNING id, tenant_id, scopes")
                .bind("hash", digest)
                .map(row -> new ApiPrincipal(row.get("id", String.class), row.get("tenant_id", String.class),
                        parseScopes(row.get("scopes", String.class))))
                .one()
                // a stuck connection must not hang the request: it becomes a 503 (or the stale cache)
                .timeout(java.time.Duration.ofSeconds(5))
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .doOnNext(p -> cache.put(digest, new Cached(p, Instant.now())))
                .onErrorResume(e -> {
                    if (cached != null && cached.loaded.plus(STALE_IF_ERROR).isAfter(now)) {
                        return Mono.just(cached.principal);
                    }
                    return Mono.error(new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE,
                            "The API key store (PostgreSQL) is unavailable; retry shortly.", e));
                })
                .flatMap(Mono::justOrEmpty);
    }

    /** A revocation on this replica takes effect at once; other replicas follow within CACHE_TTL. */
    public void evict(String keyId) {
        cache.values().removeIf(c -> c.principal.map(p -> p.keyId().equals(keyId)).orElse(false));
    }

    static Set<ApiPrincipal.Scope> parseScopes(String csv) {
        if (csv == null || csv.isBlank()) {
            return EnumSet.noneOf(ApiPrincipal.Scope.class);
        }
        return Arrays.stream(csv.split(","))
                .map(s -> ApiPrincipal.Scope.valueOf(s.trim().toUpperCase()))
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(ApiPrincipal.Scope.class)));
    }

    private record Cached(Optional<ApiPrincipal> principal, Instant loaded) {
    }
}
