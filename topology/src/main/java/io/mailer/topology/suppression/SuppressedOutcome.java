package io.mailer.topology.suppression;

import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.EventType;
import io.mailer.topology.TopologyMetrics;
import java.time.Instant;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * The SUPPRESSED event for a send that must not go out.
 *
 * <p>{@code occurredAt} is the record's timestamp (when the chunk was written), not the wall
 * clock: a transaction retried after a crash then writes byte-identical events, and tests can
 * predict the whole output.
 */
public final class SuppressedOutcome implements FixedKeyProcessor<String, Screened, DeliveryEvent> {

    private FixedKeyProcessorContext<String, DeliveryEvent> context;
    private Sensor suppressed;

    @Override
    public void init(FixedKeyProcessorContext<String, DeliveryEvent> context) {
        this.context = context;
        this.suppressed = TopologyMetrics.sensor(context.metrics(), TopologyMetrics.RECIPIENTS_SUPPRESSED);
    }

    @Override
    public void process(FixedKeyRecord<String, Screened> record) {
        Screened screened = record.value();
        DeliveryEvent event = DeliveryEvent.pipelineOutcome(EventType.SUPPRESSED, screened.send(),
                Instant.ofEpochMilli(record.timestamp()), null, screened.reason());
        suppressed.record();
        context.forward(record.withValue(event));
    }
}
