package io.mailer.ingress.suppression;

import io.mailer.ingress.suppression.SuppressionController.SuppressionView;
import io.mailer.ingress.web.Page;
import io.mailer.schemas.events.EmailAddresses;
import java.time.OffsetDateTime;
import org.springframework.http.HttpStatus;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Reads of the {@code suppression} table the projector maintains, for one tenant (or the global list). */
@Component
class SuppressionQueries {

    private final DatabaseClient db;

    SuppressionQueries(DatabaseClient db) {
        this.db = db;
    }

    /** The tenant's suppression of this address, if any (503 when PostgreSQL is unreachable). */
    Mono<SuppressionView> find(String tenant, String email) {
        return db.sql("SELECT email, reason, source_event_id, created_at FROM suppression WHERE tenant_id = :tenant AND email = :email")
                .bind("tenant", tenant).bind("email", EmailAddresses.normalize(email))
                .map(row -> view(row.get("email", String.class), row.get("reason", String.class),
                        row.get("source_event_id", String.class), row.get("created_at", OffsetDateTime.class)))
                .one()
                .onErrorMap(SuppressionQueries::unavailable);
    }

    Mono<Page<SuppressionView>> page(String tenant, String cursor, Integer limit) {
        int max = Page.limit(limit);
        String after = Page.decode(cursor);
        return query(tenant, after == null ? "" : after, max + 1).collectList()
                .map(rows -> Page.of(rows, max, SuppressionView::email));
    }

    /** Every suppression of the tenant, by email, streamed. */
    Flux<SuppressionView> all(String tenant) {
        return query(tenant, "", Integer.MAX_VALUE);
    }

    private Flux<SuppressionView> query(String tenant, String afterEmail, int limit) {
        return db.sql("SELECT email, reason, source_event_id, created_at FROM suppression"
                        + " WHERE tenant_id = :tenant AND email > :after ORDER BY email LIMIT :limit")
                .bind("tenant", tenant).bind("after", afterEmail).bind("limit", limit)
                .map(row -> view(row.get("email", String.class), row.get("reason", String.class),
                        row.get("source_event_id", String.class), row.get("created_at", OffsetDateTime.class)))
                .all()
                .onErrorMap(SuppressionQueries::unavailable);
    }

    private static SuppressionView view(String email, String reason, String source, OffsetDateTime created) {
        return new SuppressionView(email, reason, source, created == null ? null : created.toInstant());
    }

    static Throwable unavailable(Throwable e) {
        return e instanceof ResponseStatusException ? e : new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE,
                "Suppressions are temporarily unavailable (PostgreSQL unreachable).", e);
    }
}
