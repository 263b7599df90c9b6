package io.mailer.ingress.batch;

import io.mailer.ingress.web.Page;
import io.mailer.schemas.events.EventType;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/** Recipients and events of one batch, keyset-paginated, always scoped to the tenant. */
@Component
class BatchDetailQueries {

    static final java.util.Set<String> RECIPIENT_STATUSES = java.util.Set.of("QUEUED", "SUPPRESSED", "SENT", "DELIVERED",
            "BOUNCED", "COMPLAINED", "FAILED", "CANCELLED");

    public record RecipientView(int index, String sendId, String email, String status, String sesMessageId, String reason,
            Map<String, Object> metadata, Instant updatedAt) {
    }

    public record EventView(String id, String type, String sendId, String email, Instant occurredAt, String sesMessageId,
            String reason, Map<String, Object> details) {
    }

    private final DatabaseClient db;
    private final JsonMapper json;

    public BatchDetailQueries(DatabaseClient db, JsonMapper json) {
        this.db = db;
        this.json = json;
    }

    public Mono<Boolean> exists(String tenant, String batchId) {
        return db.sql("SELECT 1 FROM batch WHERE id = :id AND tenant_id = :tenant").bind("id", batchId).bind("tenant", tenant)
                .map(row -> true).one().defaultIfEmpty(false).onErrorMap(BatchDetailQueries::unavailable);
    }

    /**
     * Recipients of the batch SES has taken (SENT, DELIVERED, BOUNCED, COMPLAINED) or refused
     * (FAILED) according to the view; empty when the batch is not visible to the tenant. Errors
     * are left as they are: cancel decides what PostgreSQL being down means.
     */
    public Mono<Long> handedToSes(String tenant, String batchId) {
        // the projector's counters (sent covers SENT, DELIVERED, BOUNCED, COMPLAINED): one row, not one per recipient
        return db.sql("SELECT coalesce(c.sent, 0) + coalesce(c.failed, 0) AS handed"
                        + " FROM batch b LEFT JOIN batch_counts c ON c.batch_id = b.id WHERE b.id = :id AND b.tenant_id = :tenant")
                .bind("id", batchId).bind("tenant", tenant)
                .map(row -> {
                    Number n = row.get("handed", Number.class);
                    return n == null ? 0L : n.longValue();
                })
                .one();
    }

    public Mono<Page<RecipientView>> recipients(String tenant, String batchId, String status, String cursor, int limit) {
        if (status != null && !RECIPIENT_STATUSES.contains(status.toUpperCase(java.util.Locale.ROOT))) {
            return Mono.error(new ResponseStatusException(HttpStatus.BAD_REQUEST, "status must be one of " + RECIPIENT_STATUSES));
        }
        int after = afterIndex(cursor);
        return batchAt(batchId).flatMap(batchAt -> recipients(tenant, batchId, status, after, limit, batchAt.orElse(null)))
                .onErrorMap(e -> !(e instanceof ResponseStatusException), BatchDetailQueries::unavailable);
    }

    /**
     * The batch's partition time ({@code batch_partition}, changeset 011): {@code recipient} and
     * {@code event} are partitioned by day on it, and every row of a batch carries it, so a read
     * that names it plans and reads one partition instead of one per retained day (measured with
     * ~100 daily partitions: ~0.1-0.3 ms instead of 2.8-12 ms, most of it planning). Empty when
     * the batch has no such row (rows written by something other than the projector): then the
     * reads go through every partition's index, as before.
     */
    private Mono<java.util.Optional<OffsetDateTime>> batchAt(String batchId) {
        return db.sql("SELECT batch_at FROM batch_partition WHERE batch_id = :batch").bind("batch", batchId)
                .map(row -> java.util.Optional.ofNullable(row.get("batch_at", OffsetDateTime.class))).one()
                .defaultIfEmpty(java.util.Optional.empty());
    }

    private Mono<Page<RecipientView>> recipients(String tenant, String batchId, String status, int after, int limit,
            OffsetDateTime batchAt) {
        String sql = "SELECT recipient_index, send_id, email, status, ses_message_id, reason, metadata::text AS metadata, updated_at"
                + " FROM recipient WHERE batch_id = :batch AND tenant_id = :tenant AND recipient_index > :after"
                + (batchAt != null ? " AND batch_at = :batchAt" : "")
                + (status != null ? " AND status = :status" : "") + " ORDER BY recipient_index LIMIT :limit";
        var spec = db.sql(sql).bind("batch", batchId).bind("tenant", tenant).bind("after", after).bind("limit", limit + 1);
        if (batchAt != null) {
            spec = spec.bind("batchAt", batchAt);
        }
        if (status != null) {
            spec = spec.bind("status", status.toUpperCase(java.util.Locale.ROOT));
        }
        return spec.map(row -> new RecipientView(row.get("recipient_index", Integer.class), row.get("send_id", String.class),
                        row.get("email", String.class), row.get("status", String.class), row.get("ses_message_id", String.class),
                        row.get("reason", String.class), map(row.get("metadata", String.class)),
                        instant(row.get("updated_at", OffsetDateTime.class))))
                .all().collectList()
                .map(rows -> Page.of(rows, limit, r -> Integer.toString(r.index())));
    }

    public Mono<Page<EventView>> events(String tenant, String batchId, String type, String cursor, int limit) {
        if (type != null) {
            try {
                EventType.valueOf(type.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                return Mono.error(new ResponseStatusException(HttpStatus.BAD_REQUEST,
                        "type must be one of " + java.util.Arrays.toString(EventType.values())));
            }
        }
        String[] after = afterEvent(cursor);
        return batchAt(batchId).flatMap(batchAt -> events(tenant, batchId, type, after, limit, batchAt.orElse(null)))
                .onErrorMap(e -> !(e instanceof ResponseStatusException), BatchDetailQueries::unavailable);
    }

    private Mono<Page<EventView>> events(String tenant, String batchId, String type, String[] after, int limit,
            OffsetDateTime batchAt) {
        String sql = "SELECT id, type, send_id, email, occurred_at, ses_message_id, reason, details::text AS details FROM event"
                + " WHERE batch_id = :batch AND tenant_id = :tenant"
                + (batchAt != null ? " AND batch_at = :batchAt" : "")
                + (after != null ? " AND (occurred_at, id) > (:afterAt, :afterId)" : "")
                + (type != null ? " AND type = :type" : "") + " ORDER BY occurred_at, id LIMIT :limit";
        var spec = db.sql(sql).bind("batch", batchId).bind("tenant", tenant).bind("limit", limit + 1);
        if (batchAt != null) {
            spec = spec.bind("batchAt", batchAt);
        }
        if (after != null) {
            spec = spec.bind("afterAt", OffsetDateTime.ofInstant(Instant.parse(after[0]), ZoneOffset.UTC)).bind("afterId", after[1]);
        }
        if (type != null) {
            spec = spec.bind("type", type.toUpperCase(java.util.Locale.ROOT));
        }
        return spec.map(row -> new EventView(row.get("id", String.class), row.get("type", String.class),
                        row.get("send_id", String.class), row.get("email", String.class),
                        instant(row.get("occurred_at", OffsetDateTime.class)), row.get("ses_message_id", String.class),
                        row.get("reason", String.class), map(row.get("details", String.class))))
                .all().collectList()
                .map(rows -> Page.of(rows, limit, e -> e.occurredAt() + "|" + e.id()));
    }

    private static int afterIndex(String cursor) {
        String key = Page.decode(cursor);
        if (key == null) {
            return -1;
        }
        try {
            return Integer.parseInt(key);
        } catch (NumberFormatException e) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "cursor is not a cursor this API returned");
        }
    }

    private static String[] afterEvent(String cursor) {
        String key = Page.decode(cursor);
        if (key == null) {
            return null;
        }
        int bar = key.indexOf('|');
        try {
            Instant.parse(key.substring(0, Math.max(bar, 0)));
            return new String[] {key.substring(0, bar), key.substring(bar + 1)};
        } catch (RuntimeException e) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "cursor is not a cursor this API returned");
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> map(String text) {
        return text == null ? null : json.readValue(text, Map.class);
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }

    static ResponseStatusException unavailable(Throwable e) {
        return new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE,
                "Batch data is temporarily unavailable (PostgreSQL unreachable).", e);
    }
}
