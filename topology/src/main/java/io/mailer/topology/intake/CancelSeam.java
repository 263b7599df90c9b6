package io.mailer.topology.intake;

import io.mailer.topology.TopologyMetrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The place where CANCEL commands will take effect. For now a cancel is acknowledged (counted,
 * logged) and dropped: it must neither fail the stream nor be mistaken for a bad record.
 *
 * <p>Seam for the cancel issue: replace this terminal processor by writing the batch id into a
 * {@code cancelled-batches} table (keyed by batch id, co-partitioned with {@code batch-commands})
 * and filter the fan-out against it, emitting CANCELLED events for the recipients it stops.
 */
public final class CancelSeam implements FixedKeyProcessor<String, DecodedCommand, Void> {

    private static final Logger log = LoggerFactory.getLogger(CancelSeam.class);

    private Sensor ignored;

    @Override
    public void init(FixedKeyProcessorContext<String, Void> context) {
        this.ignored = TopologyMetrics.sensor(context.metrics(), TopologyMetrics.CANCELS_IGNORED);
    }

    @Override
    public void process(FixedKeyRecord<String, DecodedCommand> record) {
        ignored.record();
        log.info("CANCEL for batch {} received; cancellation is not applied by this version", record.key());
    }
}
