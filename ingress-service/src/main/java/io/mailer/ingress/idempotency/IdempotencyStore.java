package io.mailer.ingress.idempotency;

import org.springframework.http.HttpStatus;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;

/**
 * {@code Idempotency-Key} state in PostgreSQL, so it holds across ingress replicas. The primary
 * key (tenant, key) makes the claim atomic: of two concurrent requests with one key exactly one
 * inserts the row; the other sees it IN_FLIGHT and gets 409.
 */
@Component
public class IdempotencyStore implements org.springframework.beans.factory.InitializingBean,
        org.springframework.beans.factory.DisposableBean {

    /** How often expired keys are deleted (a claim replaces an expired row anyway; this bounds the table). */
    static final java.time.Duration SWEEP_INTERVAL = java.time.Duration.ofMinutes(10);

    /** The first answer is replayed for this long. */
    static final String TTL = "24 hours";
    /** A claim older than this was left by a crashed replica and may be taken over. */
    static final String STALE_CLAIM = "10 minutes";

    public sealed interface Claim {
    }

    /** This request owns the key: submit, then {@link #complete} or {@link #release}. */
    public record Claimed() implements Claim {
    }

    public record InFlight() implements Claim {
    }

    /** The key was used before: replay the answer if the body hash matches, else 409. */
    public record Done(String requestHash, int status, String body) implements Claim {
    }

    private static final String CLAIM = """
            INSERT INTO idempotency_key AS k (tenant_id, idem_key, request_hash, state, created_at, expires_at)
            VALUES (:tenant, :key, :hash, 'IN_FLIGHT', now(), now() + interval '%s')
            ON CONFLICT (tenant_id, idem_key) DO UPDATE SET
                request_hash = EXCLUDED.request_hash, state = 'IN_FLIGHT', response_status = NULL,
                response_body = NULL, created_at = now(), expires_at = EXCLUDED.expires_at
            WHERE k.expires_at < now() OR (k.state = 'IN_FLIGHT' AND k.created_at < now() - interval '%s')
            RETURNING k.state
            """.formatted(TTL, STALE_CLAIM);

    private final DatabaseClient db;
    private reactor.core.Disposable sweeper;

    public IdempotencyStore(DatabaseClient db) {
        this.db = db;
    }

    @Override
    public void afterPropertiesSet() {
        sweeper = reactor.core.publisher.Flux.interval(SWEEP_INTERVAL)
                .onBackpressureDrop()
                .concatMap(tick -> sweepExpired().onErrorResume(e -> Mono.empty()), 1)
                .subscribe();
    }

    @Override
    public void destroy() {
        if (sweeper != null) {
            sweeper.dispose();
        }
    }

    /** Deletes the keys whose 24 h are over (every replica sweeps; the DELETE is idempotent). */
    public Mono<Long> sweepExpired() {
        return db.sql("DELETE FROM idempotency_key WHERE expires_at < now()").fetch().rowsUpdated();
    }

    public Mono<Claim> claim(String tenant, String key, String hashOrNull) {
        var spec = db.sql(CLAIM).bind("tenant", tenant).bind("key", key);
        spec = hashOrNull == null ? spec.bindNull("hash", String.class) : spec.bind("hash", hashOrNull);
        Mono<Claim> existing = db.sql("SELECT state, request_hash, response_status, response_body FROM idempotency_key"
                        + " WHERE tenant_id = :tenant AND idem_key = :key")
                .bind("tenant", tenant).bind("key", key)
                .map(row -> "DONE".equals(row.get("state", String.class))
                        ? (Claim) new Done(row.get("request_hash", String.class), row.get("response_status", Integer.class),
                                row.get("response_body", String.class))
                        : new InFlight())
                .one()
                // deleted between our insert attempt and this read: a concurrent request just failed
                .defaultIfEmpty(new InFlight());
        return spec.map(row -> (Claim) new Claimed()).one()
                .switchIfEmpty(existing)
                .onErrorMap(e -> !(e instanceof ResponseStatusException), IdempotencyStore::unavailable);
    }

    public Mono<Void> complete(String tenant, String key, String hash, int status, String body) {
        return db.sql("UPDATE idempotency_key SET state = 'DONE', request_hash = :hash, response_status = :status,"
                        + " response_body = :body WHERE tenant_id = :tenant AND idem_key = :key")
                .bind("tenant", tenant).bind("key", key).bind("hash", hash).bind("status", status).bind("body", body)
                .then();
    }

    /** A submission that failed gives its key back, so the client's retry can succeed. */
    public Mono<Void> release(String tenant, String key) {
        return db.sql("DELETE FROM idempotency_key WHERE tenant_id = :tenant AND idem_key = :key AND state = 'IN_FLIGHT'")
                .bind("tenant", tenant).bind("key", key)
                .then()
                .onErrorResume(e -> Mono.empty());
    }

    private static ResponseStatusException unavailable(Throwable e) {
        // Documented choice: without its store an Idempotency-Key cannot be honoured, and accepting
        // the batch anyway could send it twice, so the client is asked to retry (or to submit
        // without a key, which needs Kafka only).
        return new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE,
                "Idempotency-Key cannot be checked: PostgreSQL is unavailable. Retry shortly, or submit without the key.", e);
    }
}
