package io.mailer.topology;

import io.mailer.schemas.commands.BatchCommand;
import io.mailer.schemas.events.SendRequest;
import io.mailer.schemas.events.Suppression;
import io.mailer.schemas.kafka.Topics;
import io.mailer.topology.fanout.RecipientFanOut;
import io.mailer.topology.intake.BatchCommandDecoder;
import io.mailer.topology.intake.CancelSeam;
import io.mailer.topology.intake.DeadLetters;
import io.mailer.topology.intake.DecodedCommand;
import io.mailer.topology.suppression.FailSafeSuppressionSerde;
import io.mailer.topology.suppression.Screened;
import io.mailer.topology.suppression.SuppressedOutcome;
import io.mailer.topology.suppression.SuppressionLookupKey;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The whole topology, built by one plain method so that tests drive exactly what production runs.
 *
 * <pre>
 * batch-commands ─▶ decode ─┬─ rejected ───▶ dead-letter headers ─▶ batch-commands-dlt
 *                           ├─ CANCEL ─────▶ cancel seam (not applied yet)
 *                           └─ SUBMIT_CHUNK ▶ fan out per recipient (key = send id)
 *                                              ▶ left join suppressions (GlobalKTable)
 *                                              ┬─ suppressed ─▶ SUPPRESSED event ─▶ delivery-events
 *                                              └─ allowed ────▶ send request ─────▶ sends
 * </pre>
 *
 * <p>Every source, processor, branch, store and sink is named, so {@code topology.describe()},
 * metrics and state directories stay stable when the topology grows.
 */
public final class TopologyFactory {

    public static final String SUPPRESSIONS_STORE = "suppressions-store";

    private TopologyFactory() {
    }

    public static Topology build(StreamsBuilder builder, Topics topics) {
        GlobalKTable<String, Suppression> suppressions = suppressionsTable(builder, topics);

        var routed = builder
                .stream(topics.batchCommands.name(),
                        Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("batch-commands-source"))
                .processValues(() -> new BatchCommandDecoder(topics.batchCommands.valueSerde().deserializer()),
                        Named.as("decode-batch-command"))
                .split(Named.as("route-batch-command"))
                .branch((batchId, decoded) -> decoded.isRejected(), Branched.as("-rejected"))
                .branch((batchId, decoded) -> decoded.is(BatchCommand.Type.CANCEL), Branched.as("-cancel"))
                // the decoder rejects every type it does not support, so what is left is a chunk
                .defaultBranch(Branched.as("-submit-chunk"));

        deadLetter(routed.get("route-batch-command-rejected"), topics);
        routed.get("route-batch-command-cancel").processValues(CancelSeam::new, Named.as("cancel-seam"));
        fanOutAndScreen(routed.get("route-batch-command-submit-chunk"), suppressions, topics);
        return builder.build();
    }

    /**
     * Suppressions as a GlobalKTable: every instance holds the whole (small, compacted) table, so
     * the fan-out — keyed by send id — can look up (tenant, address) without repartitioning by
     * address. Consistency is eventual: a suppression stops a send once the global thread has read
     * it; one written moments before the chunk is processed may still let that send through.
     * A tombstone deletes the entry, which re-enables sending to the address.
     */
    private static GlobalKTable<String, Suppression> suppressionsTable(StreamsBuilder builder, Topics topics) {
        return builder.globalTable(topics.suppressions.name(),
                Consumed.with(Serdes.String(), new FailSafeSuppressionSerde(topics.suppressions.valueSerde()))
                        .withName("suppressions"),
                Materialized.<String, Suppression, KeyValueStore<Bytes, byte[]>>as(SUPPRESSIONS_STORE));
    }

    private static void fanOutAndScreen(KStream<String, DecodedCommand> chunks,
            GlobalKTable<String, Suppression> suppressions, Topics topics) {
        var screened = chunks
                // seam for dedupe of redelivered chunks and for sendAt scheduling: both sit between
                // the chunk and its fan-out, keyed by batch id
                .process(RecipientFanOut::new, Named.as("fan-out-recipients"))
                .leftJoin(suppressions, new SuppressionLookupKey(), Screened::new, Named.as("lookup-suppression"))
                .split(Named.as("screen"))
                .branch((sendId, s) -> s.suppressed(), Branched.as("-suppressed"))
                .defaultBranch(Branched.as("-allowed"));

        screened.get("screen-suppressed")
                .processValues(SuppressedOutcome::new, Named.as("suppressed-event"))
                .to(topics.deliveryEvents.name(),
                        Produced.with(topics.deliveryEvents.keySerde(), topics.deliveryEvents.valueSerde())
                                .withName("delivery-events-sink"));
        screened.get("screen-allowed")
                .mapValues(Screened::send, Named.as("send-request"))
                .to(topics.sends.name(), Produced.<String, SendRequest>with(topics.sends.keySerde(),
                        topics.sends.valueSerde()).withName("sends-sink"));
    }

    private static void deadLetter(KStream<String, DecodedCommand> rejected, Topics topics) {
        rejected.processValues(DeadLetters::new, Named.as("dead-letter-headers"))
                .to(DeadLetters.batchCommandsDlt(topics),
                        Produced.with(Serdes.String(), Serdes.ByteArray()).withName("batch-commands-dlt-sink"));
    }
}
