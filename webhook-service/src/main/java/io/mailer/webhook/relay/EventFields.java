package io.mailer.webhook.relay;

import io.mailer.schemas.kafka.TopLevelStrings;
import java.util.Locale;

/**
 * The few top-level fields of a delivery event the relay routes on, read with the streaming parser
 * instead of binding the whole record (binding, with its maps and Instant parsing, was a third of
 * the relay's CPU). {@code occurredAt} stays the string on the topic: it goes into the body as is.
 * Null when the record is not a JSON object or lacks the routing fields.
 */
record EventFields(String eventId, String type, String sendId, String tenantId, String occurredAt) {

    static EventFields read(byte[] json) {
        String[] f = new String[5];
        boolean read = TopLevelStrings.read(json, (name, value) -> {
            switch (name) {
                case "eventId" -> f[0] = value;
                case "type" -> f[1] = value;
                case "sendId" -> f[2] = value;
                case "tenantId" -> f[3] = value;
                case "occurredAt" -> f[4] = value;
                default -> {
                    // not needed for routing
                }
            }
        });
        if (!read || f[0] == null || f[1] == null || f[3] == null) {
            return null;
        }
        return new EventFields(f[0], f[1], f[2], f[3], f[4]);
    }

    /** The body's {@code type}: {@code email.} + the event type in lower case. */
    String webhookType() {
        return "email." + type.toLowerCase(Locale.ROOT);
    }
}
