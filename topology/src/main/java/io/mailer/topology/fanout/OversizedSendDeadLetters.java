package io.mailer.topology.fanout;

import io.mailer.schemas.events.SendRequest;
import io.mailer.topology.budget.BudgetedSerializer;
import io.mailer.topology.intake.DeadLetters;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Prepares a send request over the record budget for {@code sends-dlt}: its serialized bytes plus
 * the headers the dispatcher's dead letters carry ({@code mailer-dlt-reason}, {@code mailer-batch-id},
 * Spring Kafka's {@code kafka_dlt-*}), so ingress's {@code GET /admin/dead-letters?batchId=} lists it
 * with its reason. The original topic is {@code sends}, where the record belongs; it has no
 * original partition or offset because it was never written there.
 *
 * <p>A send too large even for a dead letter (over {@link BudgetedSerializer#MAX_DEAD_LETTER_BYTES},
 * e.g. a 1.2 MB html) is dead-lettered without its message, variables and metadata (header
 * {@code mailer-dlt-omitted}): who and which batch stay visible, and the content is still in the
 * batch's {@code batch-commands} records.
 */
public final class OversizedSendDeadLetters implements FixedKeyProcessor<String, SizedSend, byte[]> {

    public static final String REASON = "mailer-dlt-reason";
    public static final String BATCH_ID = "mailer-batch-id";
    public static final String OMITTED = "mailer-dlt-omitted";
    static final String OMITTED_FIELDS = "message,variables,metadata";

    private final String sendsTopic;
    private final Serializer<SendRequest> serializer;
    private FixedKeyProcessorContext<String, byte[]> context;

    public OversizedSendDeadLetters(String sendsTopic, Serializer<SendRequest> serializer) {
        this.sendsTopic = sendsTopic;
        this.serializer = serializer;
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
        byte[] value = sized.value();
        if (value.length > BudgetedSerializer.MAX_DEAD_LETTER_BYTES) {
            put(headers, OMITTED, utf8(OMITTED_FIELDS));
            value = serializer.serialize(sendsTopic, identityOnly(sized.send()));
        }
        context.forward(record.withValue(value).withHeaders(headers));
    }

    static SendRequest identityOnly(SendRequest s) {
        return new SendRequest(s.sendId(), s.batchId(), s.tenantId(), s.recipientIndex(), s.email(), null, null, null,
                s.createdAt());
    }

    private static void put(Headers headers, String name, byte[] value) {
        headers.remove(name);
        headers.add(name, value);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
