package io.mailer.topology.system;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Safety net for a record a source serde cannot read: log where it is and move on.
 *
 * <p>The topology's own sources are built not to throw (batch-commands are decoded into values and
 * dead-lettered by the topology; suppressions are read fail-safe), so this only fires if a future
 * source uses a strict serde. Skipped records are counted by Kafka Streams itself in the task
 * metric {@code dropped-records-total} (Prometheus {@code kafka_stream_task_dropped_records_total}).
 * Kafka Streams 4.1 cannot return a dead-letter record from this handler (KIP-1034, Kafka 4.2).
 */
public final class LogAndSkipDeserializationHandler implements DeserializationExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(LogAndSkipDeserializationHandler.class);

    @Override
    public DeserializationHandlerResponse handle(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
            Exception exception) {
        // coordinates and exception type only: the payload may contain email addresses
        log.warn("Skipping unreadable record {}-{}@{} (task {}, processor {}): {}", context.topic(),
                context.partition(), context.offset(), context.taskId(), context.processorNodeId(),
                exception.getClass().getName());
        return DeserializationHandlerResponse.CONTINUE;
    }

    @Override
    public void configure(Map<String, ?> configs) {
        // nothing to configure
    }
}
