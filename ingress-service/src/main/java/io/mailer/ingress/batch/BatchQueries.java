package io.mailer.ingress.batch;

import java.time.Instant;
import java.time.OffsetDateTime;
import org.springframework.http.HttpStatus;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Reads batches from the PostgreSQL view the projector maintains, always scoped to the tenant.
 * Counts come from {@code batch_counts}, which the projector keeps in the transaction that changes
 * the recipient rows: a primary-key read whatever the batch's size (it used to aggregate every
 * recipient row, ~1 s for a million).
 */
@Component
class BatchQueries {

    /** The columns of a {@link BatchView}; a batch without a counters row has no recipient written yet. */
    static final String VIEW_COLUMNS = """
            b.id, b.status, b.created_at, b.total, c.suppressed, c.sent, c.delivered, c.bounced, c.complained,
            c.failed, c.cancelled, b.from_address
            """;

    private static final String FIND = "SELECT " + VIEW_COLUMNS + """
              FROM batch b LEFT JOIN batch_counts c ON c.batch_id = b.id
             WHERE b.id = :id AND b.tenant_id = :tenant
            """;

    private final DatabaseClient db;

    public BatchQueries(DatabaseClient db) {
        this.db = db;
    }

    public Mono<BatchView> find(String tenantId, String batchId) {
        return views(db.sql(FIND).bind("id", batchId).bind("tenant", tenantId))
                .singleOrEmpty()
                .onErrorMap(e -> !(e instanceof ResponseStatusException), e -> new ResponseStatusException(
                        HttpStatus.SERVICE_UNAVAILABLE, "Batch status is temporarily unavailable (PostgreSQL unreachable).", e));
    }

    /** Rows selected with {@link #VIEW_COLUMNS}, as views; queued = total minus every settled or sent recipient. */
    static Flux<BatchView> views(GenericExecuteSpec spec) {
        return spec.map(row -> {
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
            return new BatchView(row.get("id", String.class), row.get("status", String.class),
                    created == null ? Instant.EPOCH : created.toInstant(), counts, row.get("from_address", String.class));
        }).all();
    }

    private static long number(Number n) {
        return n == null ? 0 : n.longValue();
    }
}
