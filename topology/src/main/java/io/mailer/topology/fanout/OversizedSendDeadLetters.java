package io.mailer.topology.fanout;

import io.mailer.topology.intake.DeadLetters;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Prepares a send request over the record budget for {@code sends-dlt}: its serialized bytes plus
 * the headers the dispatcher's dead letters carry ({@code mailer-dlt-reason}, {@code mailer-batch-id},
 * Spring Kafka's {@code kafka_dlt-*}), so ingress's {@code GET /admin/dead-letters?batchId=} lists it
 * with its reason. The original topic is {@code sends}, where the record belongs; it has no
 * original partition or offset because it was never written there.
 */
public final class OversizedSendDeadLetters implements FixedKeyProcessor<String, SizedSend, byte[]> {

    public static final String REASON = "mailer-dlt-reason";
    public static final String BATCH_ID = "mailer-batch-id";

    private final String sendsTopic;
    private FixedKeyProcessorContext<String, byte[]> context;

    public OversizedSendDeadLetters(String sendsTopic) {
        this.sendsTopic = sendsTopic;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, byte[]> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, SizedSend> record) {
        SizedSend sized = record.value();
        String reason = sized.tooLargeReason();
        Headers headers = new RecordHeaders(record.headers().toArray());
        put(headers, REASON, utf8(reason));
        put(headers, BATCH_ID, utf8(sized.send().batchId()));
        put(headers, DeadLetters.EXCEPTION_FQCN, utf8(RecordTooLargeException.class.getName()));
        put(headers, DeadLetters.EXCEPTION_MESSAGE, utf8(reason));
        put(headers, DeadLetters.ORIGINAL_TOPIC, utf8(sendsTopic));
        put(headers, DeadLetters.ORIGINAL_TIMESTAMP, ByteBuffer.allocate(Long.BYTES).putLong(record.timestamp()).array());
        context.forward(record.withValue(sized.value()).withHeaders(headers));
    }

    private static void put(Headers headers, String name, byte[] value) {
        headers.remove(name);
        headers.add(name, value);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
