package io.mailer.feedback.projector;

import io.mailer.schemas.kafka.Json;
import java.sql.Array;
import java.sql.Connection;
import java.sql.SQLException;
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

    /** An instant as ISO-8601 text for a {@code timestamptz} element of a {@code ?::text[]} parameter. */
    static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    /** A {@code text[]} parameter (elements may be null). */
    static Array texts(Connection con, String[] values) throws SQLException {
        return con.createArrayOf("text", values);
    }

    /** An {@code int4[]} parameter. */
    static Array ints(Connection con, Integer[] values) throws SQLException {
        return con.createArrayOf("int4", values);
    }

    static final int TIMESTAMPTZ = Types.TIMESTAMP_WITH_TIMEZONE;
}
