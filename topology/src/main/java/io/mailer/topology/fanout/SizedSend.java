package io.mailer.topology.fanout;

import io.mailer.schemas.events.SendRequest;
import io.mailer.schemas.limits.RecordBudget;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A send request with its serialized {@code sends} value. Serialized once, in the topology, so the
 * size can be checked before the producer sees it: a record over {@code max.request.size} fails a
 * transactional producer's whole transaction (the producer turns abortable), which a production
 * exception handler cannot undo.
 */
public record SizedSend(SendRequest send, byte[] value) {

    public static SizedSend of(Serializer<SendRequest> serializer, String topic, SendRequest send) {
        return new SizedSend(send, serializer.serialize(topic, send));
    }

    public boolean overBudget() {
        return value.length > RecordBudget.MAX_RECORD_BYTES;
    }

    /** Reason of the FAILED event and the dead letter, e.g. {@code topology:too-large:1048000}. */
    public String tooLargeReason() {
        return "topology:too-large:" + value.length;
    }
}
