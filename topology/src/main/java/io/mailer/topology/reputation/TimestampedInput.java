package io.mailer.topology.reputation;

import java.util.function.BiFunction;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/** Maps a value to its {@link ReputationInput} with the record's timestamp (null = not counted). */
final class TimestampedInput<V> implements FixedKeyProcessor<String, V, ReputationInput> {

    private final BiFunction<V, Long, ReputationInput> mapper;
    private FixedKeyProcessorContext<String, ReputationInput> context;

    TimestampedInput(BiFunction<V, Long, ReputationInput> mapper) {
        this.mapper = mapper;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, ReputationInput> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, V> record) {
        context.forward(record.withValue(record.value() == null ? null : mapper.apply(record.value(), record.timestamp())));
    }
}
