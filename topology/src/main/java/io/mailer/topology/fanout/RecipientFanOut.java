package io.mailer.topology.fanout;

import io.mailer.schemas.commands.BatchCommand;
import io.mailer.schemas.commands.RecipientEntry;
import io.mailer.schemas.events.Ids;
import io.mailer.schemas.events.SendRequest;
import io.mailer.topology.TopologyMetrics;
import io.mailer.topology.batch.GatedChunk;
import java.util.List;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * One SUBMIT_CHUNK in, one {@link SendRequest} per recipient out, keyed by send id.
 *
 * <p>The recipient index is the chunk's {@code firstRecipientIndex} plus the position in the
 * chunk, so send ids depend only on the batch, never on how ingress chunked it or on how often the
 * chunk is redelivered. The batch gate drops duplicate chunks before they get here; the
 * deterministic ids are the second line of defence for the stages downstream.
 */
public final class RecipientFanOut implements Processor<String, GatedChunk, String, SendRequest> {

    private ProcessorContext<String, SendRequest> context;
    private Sensor fannedOut;

    @Override
    public void init(ProcessorContext<String, SendRequest> context) {
        this.context = context;
        this.fannedOut = TopologyMetrics.sensor(context.metrics(), TopologyMetrics.RECIPIENTS_FANNED_OUT);
    }

    @Override
    public void process(Record<String, GatedChunk> record) {
        BatchCommand.SubmitChunk chunk = record.value().chunk();
        List<RecipientEntry> recipients = chunk.recipients() == null ? List.of() : chunk.recipients();
        for (int position = 0; position < recipients.size(); position++) {
            SendRequest send = sendRequest(chunk, chunk.firstRecipientIndex() + position, recipients.get(position));
            context.forward(record.withKey(send.sendId()).withValue(send));
            // one record() per recipient: the sensor counts calls, not values
            fannedOut.record();
        }
    }

    static SendRequest sendRequest(BatchCommand.SubmitChunk chunk, int index, RecipientEntry recipient) {
        return new SendRequest(Ids.sendId(chunk.batchId(), index), chunk.batchId(), chunk.tenantId(), index,
                recipient.email(), recipient.variables(), recipient.metadata(), chunk.message(), chunk.createdAt());
    }
}
