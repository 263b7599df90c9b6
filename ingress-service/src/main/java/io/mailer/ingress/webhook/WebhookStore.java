package io.mailer.ingress.webhook;

import io.mailer.schemas.kafka.Json;
import io.mailer.schemas.kafka.Topics;
import io.mailer.schemas.webhooks.WebhookCommand;
import io.mailer.schemas.webhooks.WebhookEndpoint;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Webhook endpoints: the compacted {@code webhook-endpoints} topic is the source of truth (the relay
 * follows it); every change is written there first, then to the {@code webhook_endpoint} view, which
 * the webhook-service projector also maintains from the topic (the higher revision wins in both
 * writers, so they never move a row backwards). Reads come from the view.
 */
@Component
class WebhookStore {

    private final DatabaseClient db;
    private final KafkaTemplate<String, Object> kafka;
    private final Topics topics;

    public WebhookStore(DatabaseClient db, KafkaTemplate<String, Object> mailerKafkaTemplate, Topics topics) {
        this.db = db;
        this.kafka = mailerKafkaTemplate;
        this.topics = topics;
    }

    public record DeliveryRow(String messageId, String eventType, int events, String status, int attempts, Integer lastStatusCode,
            Long lastLatencyMs, String lastError, Instant createdAt, Instant lastAttemptAt, Instant nextAttemptAt) {
    }

    public Mono<WebhookEndpoint> find(String tenantId, String id) {
        return db.sql("SELECT record::text AS record FROM webhook_endpoint WHERE id = :id AND tenant_id = :tenant AND NOT deleted")
                .bind("id", id).bind("tenant", tenantId)
                .map(row -> Json.MAPPER.readValue(row.get("record", String.class), WebhookEndpoint.class))
                .one()
                .onErrorMap(WebhookStore::unavailable);
    }

    public Mono<Long> count(String tenantId) {
        return db.sql("SELECT count(*) AS n FROM webhook_endpoint WHERE tenant_id = :tenant AND NOT deleted")
                .bind("tenant", tenantId).map(row -> row.get("n", Long.class)).one()
                .onErrorMap(WebhookStore::unavailable);
    }

    /** Newest first; {@code after} = (createdAt, id) of the last row of the previous page. */
    public Mono<List<WebhookEndpoint>> list(String tenantId, Instant afterAt, String afterId, int rows) {
        var sql = db.sql("SELECT record::text AS record FROM webhook_endpoint WHERE tenant_id = :tenant AND NOT deleted"
                        + (afterAt == null ? "" : " AND (created_at, id) < (:at, :id)")
                        + " ORDER BY created_at DESC, id DESC LIMIT :rows")
                .bind("tenant", tenantId).bind("rows", rows);
        if (afterAt != null) {
            sql = sql.bind("at", afterAt.atOffset(ZoneOffset.UTC)).bind("id", afterId);
        }
        return sql.map(row -> Json.MAPPER.readValue(row.get("record", String.class), WebhookEndpoint.class)).all().collectList()
                .onErrorMap(WebhookStore::unavailable);
    }

    public Mono<List<DeliveryRow>> deliveries(String endpointId, Instant afterAt, String afterId, int rows) {
        var sql = db.sql("SELECT message_id, event_type, events, status, attempts, last_status_code, last_latency_ms, last_error,"
                        + " created_at, last_attempt_at, next_attempt_at FROM webhook_delivery WHERE endpoint_id = :endpoint"
                        + (afterAt == null ? "" : " AND (created_at, message_id) < (:at, :id)")
                        + " ORDER BY created_at DESC, message_id DESC LIMIT :rows")
                .bind("endpoint", endpointId).bind("rows", rows);
        if (afterAt != null) {
            sql = sql.bind("at", afterAt.atOffset(ZoneOffset.UTC)).bind("id", afterId);
        }
        return sql.map(row -> new DeliveryRow(row.get("message_id", String.class), row.get("event_type", String.class),
                        row.get("events", Integer.class), row.get("status", String.class), row.get("attempts", Integer.class), row.get("last_status_code", Integer.class),
                        row.get("last_latency_ms", Long.class), row.get("last_error", String.class),
                        instant(row.get("created_at", OffsetDateTime.class)), instant(row.get("last_attempt_at", OffsetDateTime.class)),
                        instant(row.get("next_attempt_at", OffsetDateTime.class))))
                .all().collectList()
                .onErrorMap(WebhookStore::unavailable);
    }

    /** Kafka first (what the relay follows), then the view. */
    public Mono<WebhookEndpoint> write(WebhookEndpoint e) {
        return send(topics.webhookEndpoints.name(), e.id(), e).then(upsert(e)).thenReturn(e);
    }

    public Mono<Void> delete(WebhookEndpoint e) {
        return send(topics.webhookEndpoints.name(), e.id(), null)
                .then(db.sql("UPDATE webhook_endpoint SET deleted = true WHERE id = :id").bind("id", e.id()).fetch().rowsUpdated()
                        .onErrorMap(WebhookStore::unavailable))
                .then();
    }

    public Mono<Void> command(WebhookCommand command) {
        return send(topics.webhookCommands.name(), command.endpointId(), command);
    }

    private Mono<Void> upsert(WebhookEndpoint e) {
        return db.sql("""
                        INSERT INTO webhook_endpoint (id, tenant_id, url, events, description, enabled, disabled_reason, disabled_at,
                            batch_size, record, created_at, updated_at, revision)
                        VALUES (:id, :tenant, :url, :events, NULLIF(:description, ''), :enabled, NULLIF(:reason, ''),
                            NULLIF(:disabledAt, TIMESTAMPTZ '1970-01-01 00:00:00+00'), :batchSize,
                            CAST(:record AS jsonb), :createdAt, :updatedAt, :revision)
                        ON CONFLICT (id) DO UPDATE SET url = EXCLUDED.url, events = EXCLUDED.events,
                            description = EXCLUDED.description, enabled = EXCLUDED.enabled,
                            disabled_reason = EXCLUDED.disabled_reason, disabled_at = EXCLUDED.disabled_at,
                            batch_size = EXCLUDED.batch_size, record = EXCLUDED.record, updated_at = EXCLUDED.updated_at,
                            revision = EXCLUDED.revision
                        WHERE webhook_endpoint.revision < EXCLUDED.revision AND NOT webhook_endpoint.deleted
                        """)
                .bind("id", e.id()).bind("tenant", e.tenantId()).bind("url", e.url()).bind("events", String.join(",", e.events()))
                .bind("description", e.description() == null ? "" : e.description()).bind("enabled", e.enabled())
                .bind("reason", e.disabledReason() == null ? "" : e.disabledReason())
                .bind("disabledAt", (e.disabledAt() == null ? Instant.EPOCH : e.disabledAt()).atOffset(ZoneOffset.UTC))
                .bind("batchSize", e.batchSize()).bind("record", Json.MAPPER.writeValueAsString(e))
                .bind("createdAt", e.createdAt().atOffset(ZoneOffset.UTC)).bind("updatedAt", e.updatedAt().atOffset(ZoneOffset.UTC))
                .bind("revision", e.revision())
                .fetch().rowsUpdated()
                .onErrorMap(WebhookStore::unavailable)
                .then();
    }

    private Mono<Void> send(String topic, String key, Object value) {
        return Mono.fromRunnable(() -> {
                    try {
                        kafka.executeInTransaction(ops -> ops.send(topic, key, value)).get();
                    } catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(ex);
                    } catch (Exception ex) {
                        throw new IllegalStateException(ex);
                    }
                })
                .subscribeOn(Schedulers.boundedElastic())
                .onErrorMap(ex -> new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE,
                        "The webhook change could not be written to Kafka; retry shortly.", ex))
                .then();
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }

    private static Throwable unavailable(Throwable e) {
        return e instanceof ResponseStatusException ? e : new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE,
                "The webhook store (PostgreSQL) is unavailable; retry shortly.", e);
    }

}
