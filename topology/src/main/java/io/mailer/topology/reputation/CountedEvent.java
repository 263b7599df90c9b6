package io.mailer.topology.reputation;

import io.mailer.schemas.events.EventType;
import io.mailer.schemas.kafka.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * The three fields of a {@code delivery-events} record the guard reads (the schemas module's
 * {@code DeliveryEvent} JSON): read whole, an event cost the counter more CPU than counting it —
 * addresses, tags, details and an {@code Instant} parsed per event for nothing. Read with the
 * streaming parser, every other field skipped: binding even these three through a record's
 * creator buffered the rest of the object, a fifth of the guard's CPU.
 */
record CountedEvent(String eventId, EventType type, String tenantId) {

    /** The fields of a record, or null when it is not a JSON object (the guard only counts; it never stops). */
    static CountedEvent read(byte[] json) {
        if (json == null) {
            return null;
        }
        String eventId = null;
        String type = null;
        String tenantId = null;
        try (JsonParser p = Json.MAPPER.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String name;
            while ((name = p.nextName()) != null) {
                if (p.nextToken() == JsonToken.VALUE_STRING) {
                    switch (name) {
                        case "eventId" -> eventId = p.getString();
                        case "type" -> type = p.getString();
                        case "tenantId" -> tenantId = p.getString();
                        default -> {
                            // not counted
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (JacksonException e) {
            return null;
        }
        return new CountedEvent(eventId, typeOf(type), tenantId);
    }

    /** Null for a type this build does not know (a newer producer's): such an event is not counted. */
    private static EventType typeOf(String name) {
        if (name == null) {
            return null;
        }
        try {
            return EventType.valueOf(name);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
