package io.mailer.schemas.kafka;

import java.util.function.BiConsumer;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * The string fields at the top of a JSON object, read with the streaming parser and every other value
 * skipped unread: for consumers that route or count on a few fields of a record, binding the whole
 * record (maps, nested objects, {@code Instant}s) cost more than their own work.
 */
public final class TopLevelStrings {

    private TopLevelStrings() {
    }

    /**
     * Hands each top-level string field to {@code field} (name, value), in the record's order; returns
     * false when the bytes are not one readable JSON object (what was handed until then is to be ignored).
     */
    public static boolean read(byte[] json, BiConsumer<String, String> field) {
        if (json == null) {
            return false;
        }
        try (JsonParser p = Json.MAPPER.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            String name;
            while ((name = p.nextName()) != null) {
                if (p.nextToken() == JsonToken.VALUE_STRING) {
                    field.accept(name, p.getString());
                } else {
                    p.skipChildren();
                }
            }
            return true;
        } catch (JacksonException e) {
            return false;
        }
    }
}
