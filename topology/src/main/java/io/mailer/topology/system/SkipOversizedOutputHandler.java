package io.mailer.topology.system;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last resort for an output record that cannot be written: too large, or refused by its serializer
 * (a {@code BudgetedSerializer} over budget). The record is skipped, logged with its topic and key,
 * and counted ({@code mailer_topology_outputs_skipped_total{topic,exception}} and Kafka Streams'
 * {@code kafka_stream_task_dropped_records_total}) so one record cannot stop fan-out for every tenant.
 * Any other error fails as before (Kafka Streams' default).
 *
 * <p>Kafka Streams 4.1.2's answer is only CONTINUE, FAIL or RETRY: returning dead-letter records
 * ({@code Response.resume(records)}, {@code errors.dead.letter.queue.topic.name}) comes with
 * KIP-1034 in 4.2, so the topology dead-letters oversized sends itself before they reach the sink.
 * Under exactly-once a {@link RecordTooLargeException} from the producer has already made the
 * transaction abortable, so CONTINUE cannot save that transaction (the task is restarted and meets
 * the record again); a serialization error happens before the producer and is skipped cleanly.
 */
public final class SkipOversizedOutputHandler implements ProductionExceptionHandler {

    /** Streams config key carrying the service's {@link MeterRegistry} (an object, not a string). */
    public static final String METER_REGISTRY_CONFIG = "mailer.topology.meter-registry";
    public static final String SKIPPED_METER = "mailer.topology.outputs.skipped";

    private static final Logger log = LoggerFactory.getLogger(SkipOversizedOutputHandler.class);

    private MeterRegistry registry = new SimpleMeterRegistry();

    @Override
    public void configure(Map<String, ?> configs) {
        if (configs.get(METER_REGISTRY_CONFIG) instanceof MeterRegistry configured) {
            registry = configured;
        }
    }

    @Override
    public ProductionExceptionHandlerResponse handle(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record,
            Exception exception) {
        if (!(exception instanceof RecordTooLargeException)) {
            return ProductionExceptionHandlerResponse.FAIL;
        }
        return skip(context, record.topic(), record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8),
                exception);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public ProductionExceptionHandlerResponse handleSerializationException(ErrorHandlerContext context,
            ProducerRecord record, Exception exception, SerializationExceptionOrigin origin) {
        if (!(exception instanceof SerializationException)) {
            return ProductionExceptionHandlerResponse.FAIL;
        }
        return skip(context, record.topic(), String.valueOf(record.key()), exception);
    }

    private ProductionExceptionHandlerResponse skip(ErrorHandlerContext context, String topic, String key,
            Exception exception) {
        // topic, key (an id) and the exception's message (sizes) only: the value holds addresses
        log.error("Skipping output record to {} with key {} (source {}-{}@{}, task {}): {}", topic, key,
                context.topic(), context.partition(), context.offset(), context.taskId(), exception.toString());
        Counter.builder(SKIPPED_METER).description("output records skipped because they could not be written")
                .tag("topic", String.valueOf(topic)).tag("exception", exception.getClass().getSimpleName())
                .register(registry).increment();
        return ProductionExceptionHandlerResponse.CONTINUE;
    }

    /** The counter's total for a topic, for tests. */
    double skipped(String topic) {
        return registry.find(SKIPPED_METER).tag("topic", topic).counters().stream().mapToDouble(Counter::count).sum();
    }
}
