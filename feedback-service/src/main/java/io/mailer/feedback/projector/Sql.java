package io.mailer.feedback.projector;

import io.mailer.schemas.kafka.Json;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;

/** Parameter conversions shared by the table writers. */
final class Sql {

    private Sql() {
    }

    static OffsetDateTime ts(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    /** A map as JSON text for a {@code ?::jsonb} parameter; null stays SQL NULL. */
    static String json(Map<String, ?> map) {
        return map == null ? null : Json.MAPPER.writeValueAsString(map);
    }

    static final int TIMESTAMPTZ = Types.TIMESTAMP_WITH_TIMEZONE;
}
