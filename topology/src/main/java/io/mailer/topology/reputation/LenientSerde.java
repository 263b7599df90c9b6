package io.mailer.topology.reputation;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Reads a value, or null when it cannot be read: the guard only counts, so an unreadable event is
 * not counted (the projector, not the guard, dead-letters bad {@code delivery-events} records and
 * ingress validates commands), and never stops the stream.
 */
final class LenientSerde<T> implements Serde<T> {

    private final Serde<T> inner;

    LenientSerde(Serde<T> inner) {
        this.inner = inner;
    }

    @Override
    public Serializer<T> serializer() {
        return inner.serializer();
    }

    @Override
    public Deserializer<T> deserializer() {
        Deserializer<T> d = inner.deserializer();
        return (topic, data) -> {
            try {
                return d.deserialize(topic, data);
            } catch (SerializationException e) {
                return null;
            }
        };
    }
}
