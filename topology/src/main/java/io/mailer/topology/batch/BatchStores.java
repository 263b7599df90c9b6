package io.mailer.topology.batch;

import io.mailer.schemas.commands.BatchCommand;
import java.time.Duration;
import java.time.Instant;
import io.mailer.schemas.kafka.JsonSerde;
import io.mailer.topology.intake.BatchCommandDecoder;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The per-batch state of the topology: three persistent, changelogged key-value stores, all keyed
 * by (a prefix of) the batch id, so they live in the task of the batch's {@code batch-commands}
 * partition and no repartition is needed.
 *
 * <ul>
 *   <li>{@value #CHUNKS_SEEN}: {@code batchId|firstRecipientIndex} → first seen (epoch ms). The
 *       recipient range a chunk covers is what its send ids are made of, so a chunk seen once is
 *       never fanned out again.</li>
 *   <li>{@value #CANCELLED}: {@code batchId} → cancelled at (epoch ms).</li>
 *   <li>{@value #SCHEDULED}: {@code sendAt(13 digits)|batchId|firstRecipientIndex} → the chunk.
 *       The zero-padded time prefix orders the keys by release time, so the punctuator reads the
 *       due chunks with one range scan.</li>
 * </ul>
 *
 * <p>Retention: entries of {@value #CHUNKS_SEEN} and {@value #CANCELLED} are purged {@link #RETENTION}
 * after they were written — longer than the scheduling horizon ({@link BatchCommandDecoder#MAX_SCHEDULE_AHEAD}) plus a
 * margin for late replays, so a duplicate can only slip through if it is replayed more than
 * 35 days after the original. Scheduled entries leave the store when released or cancelled.
 */
public final class BatchStores {

    public static final String CHUNKS_SEEN = "batch-chunks-seen-store";
    public static final String CANCELLED = "cancelled-batches-store";
    public static final String SCHEDULED = "scheduled-chunks-store";

    public static final Duration RETENTION = BatchCommandDecoder.MAX_SCHEDULE_AHEAD.plusDays(5);

    private BatchStores() {
    }

    public static StoreBuilder<KeyValueStore<String, Long>> chunksSeen() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CHUNKS_SEEN), Serdes.String(), Serdes.Long());
    }

    public static StoreBuilder<KeyValueStore<String, Long>> cancelled() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CANCELLED), Serdes.String(), Serdes.Long());
    }

    /**
     * Held chunks are stored (and changelogged) as the JSON of {@code batch-commands}, {@code "type"}
     * included: what the topology wrote when the store held any BatchCommand still reads.
     */
    public static StoreBuilder<KeyValueStore<String, BatchCommand.SubmitChunk>> scheduled() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SCHEDULED), Serdes.String(),
                new JsonSerde<>(BatchCommand.SubmitChunk.class));
    }

    static String chunkKey(BatchCommand.SubmitChunk chunk) {
        return chunk.batchId() + "|" + chunk.firstRecipientIndex();
    }

    static String scheduleKey(Instant sendAt, BatchCommand.SubmitChunk chunk) {
        return String.format("%013d|%s|%d", sendAt.toEpochMilli(), chunk.batchId(), chunk.firstRecipientIndex());
    }

    /** Upper bound (inclusive) of the schedule keys due at {@code nowMs}: '~' sorts after '|'. */
    static String dueUntil(long nowMs) {
        return String.format("%013d~", nowMs);
    }

    static String batchIdOfScheduleKey(String key) {
        return key.substring(14, key.lastIndexOf('|'));
    }

    static long sendAtOfScheduleKey(String key) {
        return Long.parseLong(key.substring(0, 13));
    }
}
