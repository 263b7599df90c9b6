package io.mailer.topology.fanout;

import io.mailer.schemas.commands.BatchCommand;
import io.mailer.schemas.commands.RecipientEntry;
import io.mailer.schemas.events.SendRequest;
import io.mailer.topology.TopologyMetrics;
import io.mailer.topology.batch.GatedChunk;
import io.mailer.topology.suppression.Screened;
import io.mailer.topology.suppression.SuppressionEntry;
import io.mailer.topology.suppression.SuppressionKeys;
import java.util.List;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * One live chunk in, one {@link Screened} send request per recipient out (keyed by send id),
 * checked against the tenant's suppression of the address and then the operator-wide one.
 *
 * <p>Fan-out and lookups are one processor rather than a fan-out followed by two
 * {@code KStream-GlobalKTable} joins: a million recipients then cost one forward each instead of
 * three, the address is normalized once per recipient instead of once per join, the tenant's key
 * prefix once per chunk, and the operator-wide entry is read only when the tenant has none (the
 * tenant's entry wins). The store is the GlobalKTable's, which every processor may read.
 * Send ids follow {@link RecipientFanOut#sendRequest}.
 */
public final class ScreenedFanOut implements Processor<String, GatedChunk, String, Screened> {

    private final String suppressionsStore;
    private ProcessorContext<String, Screened> context;
    private ReadOnlyKeyValueStore<String, ValueAndTimestamp<SuppressionEntry>> suppressions;
    private Sensor fannedOut;

    public ScreenedFanOut(String suppressionsStore) {
        this.suppressionsStore = suppressionsStore;
    }

    @Override
    public void init(ProcessorContext<String, Screened> context) {
        this.context = context;
        this.suppressions = context.getStateStore(suppressionsStore);
        this.fannedOut = TopologyMetrics.sensor(context.metrics(), TopologyMetrics.RECIPIENTS_FANNED_OUT);
    }

    @Override
    public void process(Record<String, GatedChunk> record) {
        BatchCommand.SubmitChunk chunk = record.value().chunk();
        List<RecipientEntry> recipients = chunk.recipients() == null ? List.of() : chunk.recipients();
        SuppressionKeys keys = SuppressionKeys.of(chunk.tenantId());
        for (int position = 0; position < recipients.size(); position++) {
            RecipientEntry recipient = recipients.get(position);
            SendRequest send = RecipientFanOut.sendRequest(chunk, chunk.firstRecipientIndex() + position, recipient);
            context.forward(record.withKey(send.sendId()).withValue(new Screened(send, lookup(keys, recipient.email()))));
            // one record() per recipient: the sensor counts calls, not values
            fannedOut.record();
        }
    }

    private SuppressionEntry lookup(SuppressionKeys keys, String email) {
        ValueAndTimestamp<SuppressionEntry> own = suppressions.get(keys.tenantKey(email));
        if (own != null) {
            return own.value();
        }
        ValueAndTimestamp<SuppressionEntry> operatorWide = suppressions.get(keys.operatorWideKey(email));
        return operatorWide == null ? null : operatorWide.value();
    }
}
