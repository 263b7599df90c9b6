package io.mailer.schemas.kafka;

import org.apache.kafka.common.serialization.Serde;

/** A topic's full name with its key and value serdes, and whether it is compacted. */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde, boolean compacted) {
}
