package io.mailer.ingress.batch;

import java.time.Instant;
import java.time.OffsetDateTime;
import org.springframework.http.HttpStatus;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;

/** Reads batches from the PostgreSQL view the projector maintains, always scoped to the tenant. */
@Component
public class BatchQueries {

    private static final String COUNTS = """
            SELECT b.id, b.status, b.created_at, b.total,
                   count(r.send_id) FILTER (WHERE r.status = 'SUPPRESSED') AS suppressed,
                   count(r.send_id) FILTER (WHERE r.status IN ('SENT','DELIVERED','BOUNCED','COMPLAINED')) AS sent,
                   count(r.send_id) FILTER (WHERE r.status IN ('DELIVERED','COMPLAINED') OR (r.delivered_at IS NOT NULL AND r.status <> 'BOUNCED')) AS delivered,
                   count(r.send_id) FILTER (WHERE r.status = 'BOUNCED') AS bounced,
                   count(r.send_id) FILTER (WHERE r.complained_at IS NOT NULL OR r.status = 'COMPLAINED') AS complained,
                   count(r.send_id) FILTER (WHERE r.status = 'FAILED') AS failed,
                   count(r.send_id) FILTER (WHERE r.status = 'CANCELLED') AS cancelled
              FROM batch b LEFT JOIN recipient r ON r.batch_id = b.id
             WHERE b.id = :id AND b.tenant_id = :tenant
             GROUP BY b.id, b.status, b.created_at, b.total
            """;

    private final DatabaseClient db;

    public BatchQueries(DatabaseClient db) {
        this.db = db;
    }

    public Mono<BatchView> find(String tenantId, String batchId) {
        return db.sql(COUNTS).bind("id", batchId).bind("tenant", tenantId)
                .map(row -> {
                    long total = number(row.get("total", Number.class));
                    long suppressed = number(row.get("suppressed", Number.class));
                    long sent = number(row.get("sent", Number.class));
                    long failed = number(row.get("failed", Number.class));
                    long cancelled = number(row.get("cancelled", Number.class));
                    long queued = Math.max(0, total - suppressed - sent - failed - cancelled);
                    var counts = new BatchView.Counts(total, queued, suppressed, sent,
                            number(row.get("delivered", Number.class)), number(row.get("bounced", Number.class)),
                            number(row.get("complained", Number.class)), failed, cancelled);
                    OffsetDateTime created = row.get("created_at", OffsetDateTime.class);
                    String status = row.get("status", String.class);
                    return new BatchView(row.get("id", String.class), status,
                            created == null ? Instant.EPOCH : created.toInstant(), counts);
                })
                .one()
                .onErrorMap(e -> !(e instanceof ResponseStatusException), e -> new ResponseStatusException(
                        HttpStatus.SERVICE_UNAVAILABLE, "Batch status is temporarily unavailable (PostgreSQL unreachable).", e));
    }

    private static long number(Number n) {
        return n == null ? 0 : n.longValue();
    }
}
