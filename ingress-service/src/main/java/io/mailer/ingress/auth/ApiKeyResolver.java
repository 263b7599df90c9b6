package io.mailer.ingress.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.mailer.ingress.system.IngressProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
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
    private static final String BOOTSTRAP_TENANT = ApiPrincipal.OPERATOR_TENANT;

    /** Keys remembered, valid and unknown alike: bounded, so random keys cannot grow memory. */
    static final long MAX_CACHED_KEYS = 10_000;

    private final DatabaseClient db;
    private final String bootstrapDigest;
    /** Valid keys, kept STALE_IF_ERROR so they authenticate while PostgreSQL is down. */
    private final Cache<String, Cached> known = Caffeine.newBuilder().maximumSize(MAX_CACHED_KEYS)
            .expireAfterWrite(STALE_IF_ERROR).build();
    /** Unknown or revoked keys, for CACHE_TTL only: a retrying client does not query PostgreSQL each time. */
    private final Cache<String, Instant> unknown = Caffeine.newBuilder().maximumSize(MAX_CACHED_KEYS)
            .expireAfterWrite(CACHE_TTL).build();
    private final AtomicLong lookups = new AtomicLong();

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
        Cached cached = known.getIfPresent(digest);
        Instant now = Instant.now();
        if (cached != null && cached.loaded.plus(CACHE_TTL).isAfter(now)) {
            return Mono.just(cached.principal);
        }
        if (cached == null && unknown.getIfPresent(digest) != null) {
            return Mono.empty();
        }
        lookups.incrementAndGet();
        // a read: an unknown key costs no write; last use is recorded for found keys only, at CACHE_TTL precision
        return db.sql("SELECT id, tenant_id, scopes FROM api_key WHERE hash = :hash AND revoked_at IS NULL")
                .bind("hash", digest)
                .map(row -> new ApiPrincipal(row.get("id", String.class), row.get("tenant_id", String.class),
                        parseScopes(row.get("scopes", String.class))))
                .one()
                // a stuck connection must not hang the request: it becomes a 503 (or the stale cache)
                .timeout(java.time.Duration.ofSeconds(5))
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .doOnNext(p -> {
                    if (p.isPresent()) {
                        known.put(digest, new Cached(p.get(), Instant.now()));
                        touch(p.get()).subscribe();
                    } else {
                        known.invalidate(digest);
                        unknown.put(digest, Instant.now());
                    }
                })
                .onErrorResume(e -> {
                    if (cached != null) {
                        return Mono.just(Optional.of(cached.principal));
                    }
                    return Mono.error(new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE,
                            "The API key store (PostgreSQL) is unavailable; retry shortly.", e));
                })
                .flatMap(Mono::justOrEmpty);
    }

    /** Records last use of a found key, off the request's path; its failure does not matter. */
    private Mono<Void> touch(ApiPrincipal principal) {
        return db.sql("UPDATE api_key SET last_used_at = now() WHERE id = :id").bind("id", principal.keyId())
                .fetch().rowsUpdated().timeout(java.time.Duration.ofSeconds(5)).then().onErrorResume(e -> Mono.empty());
    }

    /** The key authenticated recently on this replica (or is the bootstrap key): known good, no guess. */
    boolean recentlyValid(String presentedKey) {
        String digest = ApiKeyHasher.sha256Hex(presentedKey);
        return (bootstrapDigest != null && ApiKeyHasher.sameDigest(bootstrapDigest, digest)) || known.getIfPresent(digest) != null;
    }

    /** PostgreSQL lookups so far (tests: unknown keys behind the failure limit cost none). */
    long lookups() {
        return lookups.get();
    }

    /** Keys remembered (tests: bounded however many random keys arrive). */
    long cachedKeys() {
        known.cleanUp();
        unknown.cleanUp();
        return known.estimatedSize() + unknown.estimatedSize();
    }

    /** A revocation on this replica takes effect at once; other replicas follow within CACHE_TTL. */
    public void evict(String keyId) {
        known.asMap().values().removeIf(c -> c.principal.keyId().equals(keyId));
    }

    static Set<ApiPrincipal.Scope> parseScopes(String csv) {
        if (csv == null || csv.isBlank()) {
            return EnumSet.noneOf(ApiPrincipal.Scope.class);
        }
        return Arrays.stream(csv.split(","))
                .map(s -> ApiPrincipal.Scope.valueOf(s.trim().toUpperCase()))
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(ApiPrincipal.Scope.class)));
    }

    private record Cached(ApiPrincipal principal, Instant loaded) {
    }
}
