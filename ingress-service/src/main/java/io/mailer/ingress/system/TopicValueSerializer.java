package io.mailer.ingress.system;

import io.mailer.schemas.kafka.Topic;
import io.mailer.schemas.kafka.Topics;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.serialization.Serializer;

/**
 * One producer writes several topics in one transaction (a CANCEL command and its compacted
 * cancellation record); this serializer picks each topic's own serde from the registry.
 */
final class TopicValueSerializer implements Serializer<Object> {

    private final Map<String, Serializer<Object>> byTopic = new HashMap<>();

    @SuppressWarnings("unchecked")
    TopicValueSerializer(Topics topics) {
        for (Topic<String, ?> t : topics.all()) {
            byTopic.put(t.name(), (Serializer<Object>) t.valueSerde().serializer());
        }
    }

    @Override
    public byte[] serialize(String topic, Object data) {
        Serializer<Object> serializer = byTopic.get(topic);
        if (serializer == null) {
            throw new IllegalArgumentException("topic " + topic + " is not in the registry");
        }
        return data == null ? null : serializer.serialize(topic, data);
    }
}
