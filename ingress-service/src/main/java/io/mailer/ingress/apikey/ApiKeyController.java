package io.mailer.ingress.apikey;

import io.mailer.ingress.auth.ApiKeyHasher;
import io.mailer.ingress.auth.ApiKeyResolver;
import io.mailer.ingress.auth.ApiPrincipal;
import io.mailer.ingress.web.Problems.FieldProblem;
import io.mailer.ingress.web.ValidationException;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;

/**
 * API keys (admin scope). A key is {@code mk_live_} + 43 base64url characters (256 random bits);
 * only its SHA-256 is stored and the key itself is shown once, in the create answer. An admin
 * manages its own tenant's keys; the operator tenant {@code default} may manage any tenant's.
 */
@RestController
@RequestMapping("/api/v1/api-keys")
class ApiKeyController {

    static final String KEY_PREFIX = "mk_live_";
    static final String OPERATOR_TENANT = "default";
    private static final SecureRandom RANDOM = new SecureRandom();

    public record CreateKey(String name, List<String> scopes, String tenantId) {
    }

    public record CreatedKey(String id, String key, String prefix, String name, String tenantId, List<String> scopes,
            Instant createdAt) {
    }

    public record KeyView(String id, String prefix, String name, String tenantId, List<String> scopes, Instant createdAt,
            Instant lastUsedAt, Instant revokedAt) {
    }

    private final DatabaseClient db;
    private final ApiKeyResolver resolver;

    public ApiKeyController(DatabaseClient db, ApiKeyResolver resolver) {
        this.db = db;
        this.resolver = resolver;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<CreatedKey>> create(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @RequestBody CreateKey request) {
        principal.require(ApiPrincipal.Scope.ADMIN);
        List<FieldProblem> errors = new ArrayList<>();
        String tenant = request.tenantId() == null || request.tenantId().isBlank() ? principal.tenantId() : request.tenantId();
        if (!tenant.matches("[a-z0-9_-]{1,64}")) {
            errors.add(new FieldProblem("tenantId", "must match [a-z0-9_-]{1,64}"));
        } else if (!tenant.equals(principal.tenantId()) && !OPERATOR_TENANT.equals(principal.tenantId())) {
            errors.add(new FieldProblem("tenantId", "must be your own tenant"));
        }
        Set<String> scopes = new TreeSet<>();
        if (request.scopes() == null || request.scopes().isEmpty()) {
            errors.add(new FieldProblem("scopes", "must name at least one of send, read, suppressions, webhooks, admin"));
        } else {
            for (String s : request.scopes()) {
                try {
                    scopes.add(ApiPrincipal.Scope.valueOf(String.valueOf(s).toUpperCase(Locale.ROOT)).name().toLowerCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    errors.add(new FieldProblem("scopes", "'" + s + "' is not one of send, read, suppressions, webhooks, admin"));
                }
            }
        }
        if (request.name() != null && request.name().length() > 200) {
            errors.add(new FieldProblem("name", "is longer than 200 characters"));
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String key = KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        String id = "key_" + Base64.getUrlEncoder().withoutPadding().encodeToString(random(12));
        String prefix = key.substring(0, KEY_PREFIX.length() + 6);
        String scopeCsv = String.join(",", scopes);
        return db.sql("INSERT INTO api_key (id, tenant_id, name, prefix, hash, scopes) VALUES (:id, :tenant, :name, :prefix, :hash, :scopes)"
                        + " RETURNING created_at")
                .bind("id", id).bind("tenant", tenant).bind("prefix", prefix).bind("hash", ApiKeyHasher.sha256Hex(key))
                .bind("scopes", scopeCsv)
                .bind("name", request.name() == null ? "" : request.name())
                .map(row -> row.get("created_at", OffsetDateTime.class).toInstant())
                .one()
                .onErrorMap(ApiKeyController::unavailable)
                .map(created -> ResponseEntity.status(HttpStatus.CREATED).location(URI.create("/api/v1/api-keys/" + id))
                        .body(new CreatedKey(id, key, prefix, request.name(), tenant, List.copyOf(scopes), created)));
    }

    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<List<KeyView>> list(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal) {
        principal.require(ApiPrincipal.Scope.ADMIN);
        boolean operator = OPERATOR_TENANT.equals(principal.tenantId());
        var sql = db.sql("SELECT id, prefix, name, tenant_id, scopes, created_at, last_used_at, revoked_at FROM api_key"
                + (operator ? "" : " WHERE tenant_id = :tenant") + " ORDER BY created_at, id");
        return (operator ? sql : sql.bind("tenant", principal.tenantId()))
                .map(row -> new KeyView(row.get("id", String.class), row.get("prefix", String.class), row.get("name", String.class),
                        row.get("tenant_id", String.class), List.of(row.get("scopes", String.class).split(",")),
                        instant(row.get("created_at", OffsetDateTime.class)), instant(row.get("last_used_at", OffsetDateTime.class)),
                        instant(row.get("revoked_at", OffsetDateTime.class))))
                .all().collectList()
                .onErrorMap(ApiKeyController::unavailable);
    }

    @DeleteMapping(path = "/{id}")
    public Mono<ResponseEntity<Void>> revoke(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @PathVariable String id) {
        principal.require(ApiPrincipal.Scope.ADMIN);
        boolean operator = OPERATOR_TENANT.equals(principal.tenantId());
        var sql = db.sql("UPDATE api_key SET revoked_at = coalesce(revoked_at, now()) WHERE id = :id"
                + (operator ? "" : " AND tenant_id = :tenant")).bind("id", id);
        return (operator ? sql : sql.bind("tenant", principal.tenantId()))
                .fetch().rowsUpdated()
                .onErrorMap(ApiKeyController::unavailable)
                .flatMap(n -> {
                    if (n == 0) {
                        return Mono.error(new ResponseStatusException(HttpStatus.NOT_FOUND, "No API key " + id + "."));
                    }
                    resolver.evict(id);
                    return Mono.just(ResponseEntity.noContent().<Void>build());
                });
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }

    private static Throwable unavailable(Throwable e) {
        return e instanceof ResponseStatusException ? e : new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE,
                "The API key store (PostgreSQL) is unavailable; retry shortly.", e);
    }
}
