package io.mailer.topology.budget;

import io.mailer.schemas.limits.RecordBudget;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A sink's value serializer that refuses a value over its limit with a {@link SerializationException}.
 *
 * <p>The last line of defence behind the topology's own size checks: a serialization error happens
 * before the producer sees the record, so the production exception handler can skip it and the
 * exactly-once transaction stays healthy, whereas a {@code RecordTooLargeException} from the
 * producer makes the transaction abortable and the task fails however the handler answers.
 */
public final class BudgetedSerializer<T> implements Serializer<T> {

    /**
     * Largest dead-letter value: a dead letter keeps a value that may already be over
     * {@link RecordBudget#MAX_RECORD_BYTES}, so it gets what {@code max.request.size} allows minus
     * room for its key, its headers and the batch overhead.
     */
    public static final int MAX_DEAD_LETTER_BYTES = RecordBudget.KAFKA_MAX_BYTES - 16 * 1024;

    private final Serializer<T> inner;
    private final int maxBytes;

    private BudgetedSerializer(Serializer<T> inner, int maxBytes) {
        this.inner = inner;
        this.maxBytes = maxBytes;
    }

    /** The serde with its serializer limited to {@code maxBytes} per value. */
    public static <T> Serde<T> limit(Serde<T> serde, int maxBytes) {
        return Serdes.serdeFrom(new BudgetedSerializer<>(serde.serializer(), maxBytes), serde.deserializer());
    }

    @Override
    public byte[] serialize(String topic, T data) {
        byte[] bytes = inner.serialize(topic, data);
        if (bytes != null && bytes.length > maxBytes) {
            throw new OverBudgetException(topic, bytes.length, maxBytes);
        }
        return bytes;
    }

    /** A value over its sink's budget. */
    public static final class OverBudgetException extends SerializationException {

        OverBudgetException(String topic, int bytes, int maxBytes) {
            super("Value of " + bytes + " bytes for " + topic + " is over the record budget of " + maxBytes + " bytes");
        }
    }
}
