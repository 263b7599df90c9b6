package io.mailer.topology;

import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.kafka.Topics;
import io.mailer.schemas.limits.RecordBudget;
import io.mailer.topology.budget.BudgetedSerializer;
import io.mailer.topology.batch.BatchGate;
import io.mailer.topology.batch.BatchStores;
import io.mailer.topology.batch.GatedChunk;
import io.mailer.topology.fanout.OversizedSendDeadLetters;
import io.mailer.topology.fanout.RecipientFanOut;
import io.mailer.topology.fanout.ScreenedFanOut;
import io.mailer.topology.fanout.SendRequestSerde;
import io.mailer.topology.fanout.SizedSend;
import io.mailer.topology.intake.BatchCommandDecoder;
import io.mailer.topology.intake.DeadLetters;
import io.mailer.topology.intake.DecodedCommand;
import io.mailer.topology.outcome.PipelineOutcome;
import io.mailer.topology.suppression.FailSafeSuppressionSerde;
import io.mailer.topology.suppression.Screened;
import io.mailer.topology.suppression.SuppressionEntry;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.ValueMapper;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The whole topology, built by one plain method so that tests drive exactly what production runs.
 *
 * <pre>
 * batch-commands ─▶ decode ─┬─ rejected ─▶ dead-letter headers ─▶ batch-commands-dlt
 *                           └─ SUBMIT_CHUNK / CANCEL ─▶ batch gate (stores: chunks seen, cancelled
 *                                batches, scheduled chunks; wall-clock punctuator releases due chunks)
 *                                ┬─ cancelled chunk ─▶ fan out ─▶ CANCELLED event ──────┐
 *                                └─ live chunk ──────▶ fan out (key = send id), each recipient
 *                                     looked up in suppressions: tenant entry, else      │
 *                                     operator-wide entry                                │
 *                                     ┬─ suppressed ─▶ SUPPRESSED event ─▶ merge ───────┴▶ delivery-events
 *                                     └─ allowed ────▶ send request, serialized       ▲
 *                                          ┬─ within the record budget ─▶ sends       │
 *                                          └─ over it ─┬─▶ FAILED event ──────────────┘
 *                                                      └─▶ dead-letter headers ─▶ sends-dlt
 * </pre>
 *
 * <p>Every sink's serializer refuses a value over its budget ({@link BudgetedSerializer}), and the
 * production exception handler skips such a record: no output can stop the client.
 *
 * <p>Every source, processor, branch, store and sink is named, so {@code topology.describe()},
 * metrics, changelog topics and state directories stay stable when the topology grows. There is no
 * repartition topic: the gate's state is keyed by batch id, like its input.
 */
public final class TopologyFactory {

    public static final String SUPPRESSIONS_STORE = "suppressions-store";

    private TopologyFactory() {
    }

    public static Topology build(StreamsBuilder builder, Topics topics) {
        // read by the screened fan-out through its store, not joined: see ScreenedFanOut
        suppressionsTable(builder, topics);
        builder.addStateStore(BatchStores.chunksSeen());
        builder.addStateStore(BatchStores.cancelled());
        builder.addStateStore(BatchStores.scheduled());

        var routed = builder
                .stream(topics.batchCommands.name(),
                        Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("batch-commands-source"))
                .processValues(() -> new BatchCommandDecoder(topics.batchCommands.valueSerde().deserializer()),
                        Named.as("decode-batch-command"))
                .split(Named.as("route-batch-command"))
                .branch((batchId, decoded) -> decoded.isRejected(), Branched.as("-rejected"))
                // the decoder rejects every type it does not support: what is left is SUBMIT_CHUNK or CANCEL
                .defaultBranch(Branched.as("-accepted"));

        deadLetter(routed.get("route-batch-command-rejected"), topics);
        var gated = routed.get("route-batch-command-accepted")
                .process(BatchGate::new, Named.as("batch-gate"),
                        BatchStores.CHUNKS_SEEN, BatchStores.CANCELLED, BatchStores.SCHEDULED)
                .split(Named.as("gated"))
                .branch((batchId, chunk) -> chunk.cancelled(), Branched.as("-cancelled"))
                .defaultBranch(Branched.as("-live"));

        KStream<String, DeliveryEvent> cancelledEvents = gated.get("gated-cancelled")
                .process(RecipientFanOut::new, Named.as("fan-out-cancelled-recipients"))
                .processValues(PipelineOutcome::cancelled, Named.as("cancelled-event"));
        fanOutAndScreen(gated.get("gated-live"), cancelledEvents, topics);
        return builder.build();
    }

    /**
     * Suppressions as a GlobalKTable: every instance holds the whole (small, compacted) table, so
     * the fan-out — keyed by send id — can look up (tenant, address) and (*, address) without
     * repartitioning by address. Only each record's reason is read ({@link SuppressionEntry}).
     * Consistency is eventual: a suppression stops a send once the global thread has read it (see
     * README, "consistency bound"). A tombstone deletes the entry, which re-enables sending to the
     * address.
     */
    private static void suppressionsTable(StreamsBuilder builder, Topics topics) {
        builder.globalTable(topics.suppressions.name(),
                Consumed.with(Serdes.String(), new FailSafeSuppressionSerde()).withName("suppressions"),
                Materialized.<String, SuppressionEntry, KeyValueStore<Bytes, byte[]>>as(SUPPRESSIONS_STORE)
                        // no record cache: the fan-out reads each key about once, so the cache was
                        // only an extra lookup (and lock) in front of every RocksDB read
                        .withCachingDisabled());
    }

    private static void fanOutAndScreen(KStream<String, GatedChunk> chunks, KStream<String, DeliveryEvent> cancelledEvents,
            Topics topics) {
        var screened = chunks
                .process(() -> new ScreenedFanOut(SUPPRESSIONS_STORE), Named.as("fan-out-and-screen-recipients"))
                .split(Named.as("screen"))
                .branch((sendId, s) -> s.suppressed(), Branched.as("-suppressed"))
                .defaultBranch(Branched.as("-allowed"));

        var sized = screened.get("screen-allowed")
                .mapValues(sizer(topics), Named.as("send-request"))
                .split(Named.as("budget"))
                .branch((sendId, send) -> send.overBudget(), Branched.as("-over"))
                .defaultBranch(Branched.as("-within"));
        var over = sized.get("budget-over");
        over.processValues(() -> new OversizedSendDeadLetters(topics.sends.name(), topics.sends.valueSerde().serializer()),
                        Named.as("too-large-dead-letter"))
                .to(topics.sendsDlt.name(), Produced.with(Serdes.String(),
                        BudgetedSerializer.limit(Serdes.ByteArray(), BudgetedSerializer.MAX_DEAD_LETTER_BYTES))
                        .withName("sends-dlt-sink"));
        screened.get("screen-suppressed")
                .processValues(PipelineOutcome::suppressed, Named.as("suppressed-event"))
                .merge(cancelledEvents, Named.as("pipeline-events"))
                .merge(over.processValues(PipelineOutcome::tooLarge, Named.as("too-large-event")),
                        Named.as("pipeline-events-with-failed"))
                .to(topics.deliveryEvents.name(),
                        Produced.with(topics.deliveryEvents.keySerde(),
                                BudgetedSerializer.limit(topics.deliveryEvents.valueSerde(), RecordBudget.MAX_RECORD_BYTES))
                                .withName("delivery-events-sink"));
        sized.get("budget-within")
                .mapValues(SizedSend::value, Named.as("send-request-bytes"))
                .to(topics.sends.name(), Produced.with(topics.sends.keySerde(),
                        BudgetedSerializer.limit(Serdes.ByteArray(), RecordBudget.MAX_RECORD_BYTES)).withName("sends-sink"));
    }

    /** Serializes each send request once, here, so its size is known before the sink. */
    private static ValueMapper<Screened, SizedSend> sizer(Topics topics) {
        var serializer = new SendRequestSerde(topics.sends.valueSerde()).serializer();
        String topic = topics.sends.name();
        return screened -> SizedSend.of(serializer, topic, screened.send());
    }

    private static void deadLetter(KStream<String, DecodedCommand> rejected, Topics topics) {
        rejected.processValues(DeadLetters::new, Named.as("dead-letter-headers"))
                .to(DeadLetters.batchCommandsDlt(topics), Produced.with(Serdes.String(),
                        BudgetedSerializer.limit(Serdes.ByteArray(), BudgetedSerializer.MAX_DEAD_LETTER_BYTES))
                        .withName("batch-commands-dlt-sink"));
    }
}
