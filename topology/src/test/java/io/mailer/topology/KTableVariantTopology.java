package io.mailer.topology;

import io.mailer.schemas.commands.BatchCommand;
import io.mailer.schemas.events.Suppression;
import io.mailer.schemas.kafka.Topics;
import io.mailer.topology.batch.GatedChunk;
import io.mailer.topology.fanout.RecipientFanOut;
import io.mailer.topology.fanout.SendRequestSerde;
import io.mailer.topology.intake.BatchCommandDecoder;
import io.mailer.topology.outcome.PipelineOutcome;
import io.mailer.topology.suppression.FailSafeSuppressionSerde;
import io.mailer.topology.suppression.Screened;
import io.mailer.topology.suppression.SuppressionEntry;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Joined;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Benchmark-only alternative to the production suppression lookup: a KTable joined after
 * repartitioning the fan-out by (tenant, address). It skips the batch gate and the operator-wide
 * lookup (which would need a second repartition), so it measures the cheapest KTable design —
 * the comparison favours it.
 */
final class KTableVariantTopology {

    private KTableVariantTopology() {
    }

    static Topology build(StreamsBuilder builder, Topics topics) {
        FailSafeSuppressionSerde suppressionSerde = new FailSafeSuppressionSerde();
        KTable<String, SuppressionEntry> suppressions = builder.table(topics.suppressions.name(),
                Consumed.with(Serdes.String(), suppressionSerde).withName("suppressions-table-source"),
                Materialized.<String, SuppressionEntry, KeyValueStore<Bytes, byte[]>>as("suppressions-table-store"));
        var screened = builder
                .stream(topics.batchCommands.name(),
                        Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("batch-commands-source"))
                .processValues(() -> new BatchCommandDecoder(topics.batchCommands.valueSerde().deserializer()),
                        Named.as("decode-batch-command"))
                .filter((batchId, decoded) -> !decoded.isRejected(), Named.as("accepted"))
                // no gate: a chunk goes straight to the fan-out, a cancel is dropped
                .flatMapValues(decoded -> decoded.command() instanceof BatchCommand.SubmitChunk chunk
                        ? List.of(new GatedChunk(chunk, false)) : List.<GatedChunk>of(), Named.as("no-gate"))
                .process(RecipientFanOut::new, Named.as("fan-out-recipients"))
                .selectKey((sendId, send) -> Suppression.key(send.tenantId(), send.email()), Named.as("key-by-address"))
                .repartition(Repartitioned.with(Serdes.String(), topics.sends.valueSerde()).withName("sends-by-address"))
                .leftJoin(suppressions, Screened::new,
                        Joined.with(Serdes.String(), topics.sends.valueSerde(), suppressionSerde)
                                .withName("lookup-suppression"))
                .selectKey((address, s) -> s.send().sendId(), Named.as("key-by-send-id"))
                .split(Named.as("screen"))
                .branch((sendId, s) -> s.suppressed(), Branched.as("-suppressed"))
                .defaultBranch(Branched.as("-allowed"));
        screened.get("screen-suppressed")
                .processValues(PipelineOutcome::suppressed, Named.as("suppressed-event"))
                .to(topics.deliveryEvents.name(), Produced.with(topics.deliveryEvents.keySerde(),
                        topics.deliveryEvents.valueSerde()).withName("delivery-events-sink"));
        screened.get("screen-allowed")
                .mapValues(Screened::send, Named.as("send-request"))
                .to(topics.sends.name(), Produced.with(topics.sends.keySerde(),
                        new SendRequestSerde(topics.sends.valueSerde())).withName("sends-sink"));
        return builder.build();
    }
}
