package io.mailer.topology.outcome;

import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.EventType;
import io.mailer.schemas.events.SendRequest;
import io.mailer.topology.TopologyMetrics;
import io.mailer.topology.fanout.SizedSend;
import io.mailer.topology.suppression.Screened;
import java.time.Instant;
import java.util.function.Function;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * The event for a recipient the topology decided not to send to (SUPPRESSED, CANCELLED, or FAILED
 * when its send request is over the record budget).
 *
 * <p>{@code occurredAt} is the record's timestamp (when the chunk or the cancel was written, or
 * when a scheduled chunk was due), not the wall clock: a transaction retried after a crash then
 * writes byte-identical events, and tests can predict the whole output.
 */
public final class PipelineOutcome<V> implements FixedKeyProcessor<String, V, DeliveryEvent> {

    public static final String CANCELLED_REASON = "cancelled";

    private final EventType type;
    private final Function<V, SendRequest> send;
    private final Function<V, String> reason;
    private final String counter;
    private FixedKeyProcessorContext<String, DeliveryEvent> context;
    private Sensor sensor;

    private PipelineOutcome(EventType type, Function<V, SendRequest> send, Function<V, String> reason, String counter) {
        this.type = type;
        this.send = send;
        this.reason = reason;
        this.counter = counter;
    }

    public static PipelineOutcome<Screened> suppressed() {
        return new PipelineOutcome<>(EventType.SUPPRESSED, Screened::send, Screened::reason,
                TopologyMetrics.RECIPIENTS_SUPPRESSED);
    }

    public static PipelineOutcome<SendRequest> cancelled() {
        return new PipelineOutcome<>(EventType.CANCELLED, s -> s, s -> CANCELLED_REASON,
                TopologyMetrics.RECIPIENTS_CANCELLED);
    }

    public static PipelineOutcome<SizedSend> tooLarge() {
        return new PipelineOutcome<>(EventType.FAILED, SizedSend::send, SizedSend::tooLargeReason,
                TopologyMetrics.RECIPIENTS_TOO_LARGE);
    }

    @Override
    public void init(FixedKeyProcessorContext<String, DeliveryEvent> context) {
        this.context = context;
        this.sensor = TopologyMetrics.sensor(context.metrics(), counter);
    }

    @Override
    public void process(FixedKeyRecord<String, V> record) {
        V value = record.value();
        sensor.record();
        context.forward(record.withValue(DeliveryEvent.pipelineOutcome(type, send.apply(value),
                Instant.ofEpochMilli(record.timestamp()), null, reason.apply(value))));
    }
}
