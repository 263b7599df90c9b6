package io.mailer.webhook.relay;

import io.mailer.schemas.kafka.Json;
import java.util.Locale;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * The few top-level fields of a delivery event the relay routes on, read with the streaming parser
 * instead of binding the whole record (binding, with its maps and Instant parsing, was a third of
 * the relay's CPU). {@code occurredAt} stays the string on the topic: it goes into the body as is.
 * Null when the record is not a JSON object or lacks the routing fields.
 */
record EventFields(String eventId, String type, String sendId, String tenantId, String occurredAt) {

    static EventFields read(byte[] json) {
        String eventId = null;
        String type = null;
        String sendId = null;
        String tenantId = null;
        String occurredAt = null;
        try (JsonParser p = Json.MAPPER.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String name;
            while ((name = p.nextName()) != null) {
                JsonToken value = p.nextToken();
                if (value == JsonToken.VALUE_STRING) {
                    switch (name) {
                        case "eventId" -> eventId = p.getString();
                        case "type" -> type = p.getString();
                        case "sendId" -> sendId = p.getString();
                        case "tenantId" -> tenantId = p.getString();
                        case "occurredAt" -> occurredAt = p.getString();
                        default -> {
                            // not needed for routing
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (JacksonException e) {
            return null;
        }
        if (eventId == null || type == null || tenantId == null) {
            return null;
        }
        return new EventFields(eventId, type, sendId, tenantId, occurredAt);
    }

    /** The body's {@code type}: {@code email.} + the event type in lower case. */
    String webhookType() {
        return "email." + type.toLowerCase(Locale.ROOT);
    }
}
