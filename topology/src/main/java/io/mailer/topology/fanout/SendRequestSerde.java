package io.mailer.topology.fanout;

import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.events.SendRequest;
import io.mailer.schemas.kafka.Json;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.SerializableString;
import tools.jackson.core.io.SerializedString;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.ser.std.StdSerializer;

/**
 * The {@code sends} value serde of the fan-out: writes exactly the bytes of the shared
 * {@code JsonSerde<SendRequest>}, faster.
 *
 * <p>Every send request of a chunk carries the same {@link MessageContent} (templates, often
 * kilobytes of HTML to escape) and the same {@code createdAt} instance. This serializer writes each
 * of them once per chunk with the shared mapper and splices the resulting JSON into every record
 * of the chunk; the rest of the record is written by a copy of the shared mapper, so field order,
 * escaping and formats stay the shared mapper's. {@code SendRequestSerdeTest} compares the bytes
 * with the shared serde's. Reading is the shared serde's.
 */
public final class SendRequestSerde implements Serde<SendRequest>, Serializer<SendRequest> {

    private final Serde<SendRequest> shared;
    private final ObjectWriter writer;

    public SendRequestSerde(Serde<SendRequest> shared) {
        this.shared = shared;
        SimpleModule splice = new SimpleModule("mailer-send-request-splice")
                .addSerializer(MessageContent.class, new SplicedSerializer<>(MessageContent.class))
                .addSerializer(Instant.class, new SplicedSerializer<>(Instant.class));
        this.writer = Json.MAPPER.rebuild().addModule(splice).build().writerFor(SendRequest.class);
    }

    @Override
    public byte[] serialize(String topic, SendRequest send) {
        if (send == null) {
            return null;
        }
        try {
            return writer.writeValueAsBytes(send);
        } catch (JacksonException e) {
            throw new SerializationException("Cannot write SendRequest to " + topic, e);
        }
    }

    @Override
    public Serializer<SendRequest> serializer() {
        return this;
    }

    @Override
    public Deserializer<SendRequest> deserializer() {
        return shared.deserializer();
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        // nothing to configure
    }

    @Override
    public void close() {
        // stateless apart from the one-entry caches
    }

    /**
     * Writes a value as the shared mapper would, from the JSON of the last instance it saw: the
     * chunk's message and timestamp are the same objects in each of its send requests, so one
     * serialization per chunk serves a thousand records. Records are immutable, so an identical
     * instance has identical JSON. The cache is one immutable pair in a volatile field: threads
     * racing on it at worst serialize a value again.
     */
    private static final class SplicedSerializer<T> extends StdSerializer<T> {

        private record Last(Object value, SerializableString json) {
        }

        private volatile Last last = new Last(null, null);

        SplicedSerializer(Class<T> type) {
            super(type);
        }

        @Override
        public void serialize(T value, JsonGenerator generator, SerializationContext context) {
            Last cached = last;
            if (cached.value() != value) {
                cached = new Last(value, new SerializedString(Json.MAPPER.writeValueAsString(value)));
                last = cached;
            }
            generator.writeRawValue(cached.json());
        }
    }
}
