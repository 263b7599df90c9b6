package io.mailer.ingress.batch;

import io.mailer.ingress.web.Page;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code GET /api/v1/batches}: the tenant's batches newest first, keyset-paginated on
 * (created_at, id) along idx_batch_tenant_created_id, so a page costs the same on the first and
 * the thousandth page and batches arriving meanwhile neither repeat nor push rows between pages.
 */
@Component
class BatchListQueries {

    private final DatabaseClient db;
    private final JsonMapper json;

    BatchListQueries(DatabaseClient db, JsonMapper json) {
        this.db = db;
        this.json = json;
    }

    Mono<Page<BatchView>> list(String tenant, BatchListRequest q) {
        StringBuilder sql = new StringBuilder("SELECT ").append(BatchQueries.VIEW_COLUMNS)
                .append(" FROM batch b LEFT JOIN batch_counts c ON c.batch_id = b.id WHERE b.tenant_id = :tenant");
        if (q.status() != null) {
            sql.append(" AND b.status = :status");
        }
        if (q.createdAfter() != null) {
            sql.append(" AND b.created_at >= :createdAfter");
        }
        if (q.createdBefore() != null) {
            sql.append(" AND b.created_at < :createdBefore");
        }
        if (q.tagName() != null) {
            sql.append(" AND b.tags @> CAST(:tag AS jsonb)");
        }
        if (q.afterId() != null) {
            sql.append(" AND (b.created_at, b.id) < (:afterAt, :afterId)");
        }
        sql.append(" ORDER BY b.created_at DESC, b.id DESC LIMIT :limit");
        var spec = db.sql(sql.toString()).bind("tenant", tenant).bind("limit", q.limit() + 1);
        if (q.status() != null) {
            spec = spec.bind("status", q.status());
        }
        if (q.createdAfter() != null) {
            spec = spec.bind("createdAfter", ts(q.createdAfter()));
        }
        if (q.createdBefore() != null) {
            spec = spec.bind("createdBefore", ts(q.createdBefore()));
        }
        if (q.tagName() != null) {
            spec = spec.bind("tag", json.writeValueAsString(Map.of(q.tagName(), q.tagValue())));
        }
        if (q.afterId() != null) {
            spec = spec.bind("afterAt", ts(q.afterCreatedAt())).bind("afterId", q.afterId());
        }
        return BatchQueries.views(spec).collectList()
                .map(rows -> Page.of(rows, q.limit(), BatchListRequest::sortKey))
                .onErrorMap(e -> !(e instanceof ResponseStatusException), BatchDetailQueries::unavailable);
    }

    private static OffsetDateTime ts(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
