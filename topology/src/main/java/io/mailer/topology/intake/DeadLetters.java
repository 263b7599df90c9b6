package io.mailer.topology.intake;

import io.mailer.schemas.kafka.Topics;
import io.mailer.topology.TopologyMetrics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Prepares a rejected command for the {@code batch-commands-dlt} topic: the original bytes, the
 * original headers, plus the reason and source coordinates.
 *
 * <p>Header names and encodings are Spring Kafka's ({@code DeadLetterPublishingRecoverer}: partition
 * as a 4-byte int, offset and timestamp as 8-byte longs) so that one tool can inspect and replay
 * every Mailer dead-letter topic, including the dispatcher's {@code sends-dlt}.
 */
public final class DeadLetters implements FixedKeyProcessor<String, DecodedCommand, byte[]> {

    public static final String EXCEPTION_FQCN = "kafka_dlt-exception-fqcn";
    public static final String EXCEPTION_MESSAGE = "kafka_dlt-exception-message";
    public static final String ORIGINAL_TOPIC = "kafka_dlt-original-topic";
    public static final String ORIGINAL_PARTITION = "kafka_dlt-original-partition";
    public static final String ORIGINAL_OFFSET = "kafka_dlt-original-offset";
    public static final String ORIGINAL_TIMESTAMP = "kafka_dlt-original-timestamp";

    private FixedKeyProcessorContext<String, byte[]> context;
    private Sensor deadLettered;

    /** The dead-letter topic of {@code batch-commands}. */
    public static String batchCommandsDlt(Topics topics) {
        return topics.batchCommandsDlt.name();
    }

    @Override
    public void init(FixedKeyProcessorContext<String, byte[]> context) {
        this.context = context;
        this.deadLettered = TopologyMetrics.sensor(context.metrics(), TopologyMetrics.COMMANDS_DEAD_LETTERED);
    }

    @Override
    public void process(FixedKeyRecord<String, DecodedCommand> record) {
        DecodedCommand rejected = record.value();
        Headers headers = new RecordHeaders(record.headers().toArray());
        put(headers, EXCEPTION_FQCN, utf8(rejected.errorClass()));
        put(headers, EXCEPTION_MESSAGE, utf8(String.valueOf(rejected.reason())));
        put(headers, ORIGINAL_TIMESTAMP, ByteBuffer.allocate(Long.BYTES).putLong(record.timestamp()).array());
        context.recordMetadata().ifPresent(source -> putSource(headers, source));
        deadLettered.record();
        context.forward(record.withValue(rejected.raw()).withHeaders(headers));
    }

    private static void putSource(Headers headers, RecordMetadata source) {
        put(headers, ORIGINAL_TOPIC, utf8(source.topic()));
        put(headers, ORIGINAL_PARTITION, ByteBuffer.allocate(Integer.BYTES).putInt(source.partition()).array());
        put(headers, ORIGINAL_OFFSET, ByteBuffer.allocate(Long.BYTES).putLong(source.offset()).array());
    }

    private static void put(Headers headers, String name, byte[] value) {
        headers.remove(name);
        headers.add(name, value);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
