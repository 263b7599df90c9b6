package io.mailer.topology.reputation;

import io.mailer.schemas.events.EventType;
import io.mailer.schemas.kafka.TopLevelStrings;

/**
 * The three fields of a {@code delivery-events} record the guard reads (the schemas module's
 * {@code DeliveryEvent} JSON): read whole, an event cost the counter more CPU than counting it —
 * addresses, tags, details and an {@code Instant} parsed per event for nothing. Read with the
 * streaming parser, every other field skipped: binding even these three through a record's
 * creator buffered the rest of the object, about a quarter of the guard's CPU.
 */
record CountedEvent(String eventId, EventType type, String tenantId) {

    /** The fields of a record, or null when it is not a JSON object (the guard only counts; it never stops). */
    static CountedEvent read(byte[] json) {
        String[] fields = new String[3];
        boolean read = TopLevelStrings.read(json, (name, value) -> {
            switch (name) {
                case "eventId" -> fields[0] = value;
                case "type" -> fields[1] = value;
                case "tenantId" -> fields[2] = value;
                default -> {
                    // not counted
                }
            }
        });
        return read ? new CountedEvent(fields[0], typeOf(fields[1]), fields[2]) : null;
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
