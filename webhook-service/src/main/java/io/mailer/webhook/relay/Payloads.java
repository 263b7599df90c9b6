package io.mailer.webhook.relay;

import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.kafka.Json;
import io.mailer.schemas.reputation.TenantEvent;
import io.mailer.schemas.webhooks.WebhookCommand;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The request bodies. One event: {@code {"type":"email.<type>","timestamp":<occurredAt>,"data":<the
 * delivery event>}}. A batch (endpoints with batchSize > 1): {@code {"type":"batch","timestamp":<now>,
 * "data":[<event body>, ...]}} under its own webhook-id; receivers deduplicate a batch's events by
 * {@code data[i].data.eventId}. Message ids are deterministic (event id + endpoint id), so a
 * redelivered event gets the same webhook-id and receivers can drop the repeat.
 */
final class Payloads {

    private Payloads() {
    }

    public static String eventType(DeliveryEvent event) {
        return "email." + event.type().name().toLowerCase(Locale.ROOT);
    }

    /** A tenant state change's body type: {@code tenant.active}, {@code tenant.throttled} or {@code tenant.paused}. */
    static String tenantType(TenantEvent event) {
        return "tenant." + event.to().name().toLowerCase(Locale.ROOT);
    }

    public static String messageId(String endpointId, String eventId) {
        return "msg_" + hash(endpointId + "/" + eventId);
    }

    public static String body(DeliveryEvent event) {
        return body(event, Json.MAPPER.writeValueAsString(event));
    }

    /**
     * The body around the event's JSON as it is on the topic (the record's bytes, which already are
     * the public delivery-event object): no second serialization per event.
     */
    public static String body(DeliveryEvent event, String eventJson) {
        return body(eventType(event), event.occurredAt() == null ? Instant.now().toString() : event.occurredAt().toString(),
                eventJson);
    }

    static String body(String type, String ts, String eventJson) {
        return new StringBuilder(eventJson.length() + type.length() + ts.length() + 40)
                .append("{\"type\":\"").append(type).append("\",\"timestamp\":\"").append(ts).append("\",\"data\":")
                .append(eventJson).append('}').toString();
    }

    public static String testBody(WebhookCommand command) {
        return Json.MAPPER.writeValueAsString(Map.of("type", "webhook.test", "timestamp", command.requestedAt().toString(),
                "data", Map.of("endpointId", command.endpointId(), "tenantId", command.tenantId(),
                        "message", "Test message from Mailer, sent on request.")));
    }

    /** A batch body; its id is derived from the ids it carries, so the same batch keeps its webhook-id. */
    public static String batchBody(List<String> payloads, Instant now) {
        StringBuilder b = new StringBuilder(payloads.stream().mapToInt(String::length).sum() + 64 + payloads.size());
        b.append("{\"type\":\"batch\",\"timestamp\":\"").append(now).append("\",\"data\":[");
        for (int i = 0; i < payloads.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append(payloads.get(i));
        }
        return b.append("]}").toString();
    }

    public static String batchId(List<String> messageIds) {
        return "msg_batch_" + hash(String.join(",", messageIds));
    }

    static String hash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(d).substring(0, 22);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
