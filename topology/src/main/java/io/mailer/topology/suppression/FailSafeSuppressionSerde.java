package io.mailer.topology.suppression;

import io.mailer.schemas.kafka.Json;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;

/**
 * Reads the {@code suppressions} topic into {@link SuppressionEntry} values without ever throwing.
 *
 * <p>Only {@code reason} is bound: the other fields of the {@code Suppression} JSON are skipped by
 * the shared mapper (unknown fields are ignored), so a lookup hit costs one small parse. An
 * unreadable value must not stop the global thread (an exception there kills the whole client,
 * and the record would be re-read after every restart). It is read as a suppression with an
 * unknown reason instead: the key alone says that this tenant suppressed this address, and sending
 * to an address someone suppressed hurts the SES reputation more than skipping one recipient. The
 * SUPPRESSED event then carries the reason {@code suppressed:UNKNOWN}.
 *
 * <p>The serializer is used by the global store for records that arrive after start-up (the
 * initial load copies the topic's bytes as they are); both forms read back alike.
 */
public final class FailSafeSuppressionSerde implements Serde<SuppressionEntry>, Deserializer<SuppressionEntry>,
        Serializer<SuppressionEntry> {

    private static final Logger log = LoggerFactory.getLogger(FailSafeSuppressionSerde.class);
    private static final ObjectReader READER = Json.MAPPER.readerFor(SuppressionEntry.class);
    private static final ObjectWriter WRITER = Json.MAPPER.writerFor(SuppressionEntry.class);

    @Override
    public SuppressionEntry deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            SuppressionEntry entry = READER.readValue(data);
            return entry == null ? SuppressionEntry.UNREADABLE : entry;
        } catch (JacksonException e) {
            // no payload in the log: it holds an email address
            log.warn("Unreadable suppression record on {} treated as suppressed: {}", topic, e.getClass().getName());
            return SuppressionEntry.UNREADABLE;
        }
    }

    @Override
    public byte[] serialize(String topic, SuppressionEntry entry) {
        return entry == null ? null : WRITER.writeValueAsBytes(entry);
    }

    @Override
    public Serializer<SuppressionEntry> serializer() {
        return this;
    }

    @Override
    public Deserializer<SuppressionEntry> deserializer() {
        return this;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        // nothing to configure
    }

    @Override
    public void close() {
        // stateless
    }
}
