package io.mailer.topology.batch;

import io.mailer.schemas.commands.BatchCommand;
import io.mailer.topology.TopologyMetrics;
import io.mailer.topology.intake.DecodedCommand;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Decides, per batch, what happens to each command before any recipient is fanned out:
 *
 * <ul>
 *   <li>a chunk already seen (producer retry, replayed submission) is dropped — its recipients
 *       already have their send or outcome;</li>
 *   <li>a chunk of a cancelled batch goes on as {@code cancelled}: every recipient gets a CANCELLED
 *       event, none a send;</li>
 *   <li>a chunk whose {@code message.sendAt} is later than the wall clock is held in
 *       {@value BatchStores#SCHEDULED} and released by a wall-clock punctuator; one due already goes
 *       on at once;</li>
 *   <li>a CANCEL marks the batch cancelled and turns its held chunks into cancelled chunks.</li>
 * </ul>
 *
 * <p>{@code batch-commands} is keyed by batch id, so a CANCEL is ordered after every chunk written
 * before it, and all state of a batch is in this task: no cross-partition coordination. The stores
 * are changelogged; a restart or rebalance restores them before the task processes again, and the
 * punctuator of the new owner releases what is due.
 */
public final class BatchGate implements Processor<String, DecodedCommand, String, GatedChunk> {

    /** How often due scheduled chunks are looked for: the release delay is at most this. */
    public static final Duration RELEASE_INTERVAL = Duration.ofSeconds(1);
    /** How often expired dedupe and cancel entries are purged. */
    public static final Duration PURGE_INTERVAL = Duration.ofHours(1);
    /** Chunks released per punctuation, so a huge due batch is spread over several transactions. */
    static final int MAX_RELEASE_PER_PUNCTUATION = 100;

    private ProcessorContext<String, GatedChunk> context;
    private KeyValueStore<String, Long> seen;
    private KeyValueStore<String, Long> cancelled;
    private KeyValueStore<String, BatchCommand.SubmitChunk> scheduled;
    private Sensor duplicates;
    private Sensor held;
    private Sensor released;

    @Override
    public void init(ProcessorContext<String, GatedChunk> context) {
        this.context = context;
        this.seen = context.getStateStore(BatchStores.CHUNKS_SEEN);
        this.cancelled = context.getStateStore(BatchStores.CANCELLED);
        this.scheduled = context.getStateStore(BatchStores.SCHEDULED);
        this.duplicates = TopologyMetrics.sensor(context.metrics(), TopologyMetrics.DUPLICATE_CHUNKS_DROPPED);
        this.held = TopologyMetrics.sensor(context.metrics(), TopologyMetrics.CHUNKS_SCHEDULED);
        this.released = TopologyMetrics.sensor(context.metrics(), TopologyMetrics.CHUNKS_RELEASED);
        context.schedule(RELEASE_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::releaseDue);
        context.schedule(PURGE_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::purgeExpired);
    }

    @Override
    public void process(Record<String, DecodedCommand> record) {
        BatchCommand command = record.value().command();
        if (command instanceof BatchCommand.SubmitChunk chunk) {
            admit(chunk, record);
        } else if (command instanceof BatchCommand.Cancel cancel) {
            cancel(cancel, record);
        }
    }

    private void admit(BatchCommand.SubmitChunk chunk, Record<String, DecodedCommand> record) {
        String chunkKey = BatchStores.chunkKey(chunk);
        if (seen.get(chunkKey) != null) {
            duplicates.record();
            return;
        }
        long now = context.currentSystemTimeMs();
        seen.put(chunkKey, now);
        Instant sendAt = chunk.message().sendAt();
        if (cancelled.get(chunk.batchId()) != null) {
            context.forward(record.withValue(new GatedChunk(chunk, true)));
        } else if (sendAt != null && sendAt.isAfter(Instant.ofEpochMilli(now))) {
            scheduled.put(BatchStores.scheduleKey(sendAt, chunk), chunk);
            held.record();
        } else {
            context.forward(record.withValue(new GatedChunk(chunk, false)));
        }
    }

    private void cancel(BatchCommand.Cancel cancel, Record<String, DecodedCommand> record) {
        if (cancelled.get(cancel.batchId()) != null) {
            return; // a repeated cancel changes nothing
        }
        cancelled.put(cancel.batchId(), context.currentSystemTimeMs());
        // a cancel is rare: scanning the held chunks beats keeping a second index by batch id
        List<KeyValue<String, BatchCommand.SubmitChunk>> heldChunks = new ArrayList<>();
        try (KeyValueIterator<String, BatchCommand.SubmitChunk> all = scheduled.all()) {
            all.forEachRemaining(kv -> {
                if (BatchStores.batchIdOfScheduleKey(kv.key).equals(cancel.batchId())) {
                    heldChunks.add(kv);
                }
            });
        }
        for (KeyValue<String, BatchCommand.SubmitChunk> kv : heldChunks) {
            scheduled.delete(kv.key);
            context.forward(new Record<>(cancel.batchId(), new GatedChunk(kv.value, true), record.timestamp(),
                    record.headers()));
        }
    }

    private void releaseDue(long now) {
        List<KeyValue<String, BatchCommand.SubmitChunk>> due = new ArrayList<>();
        try (KeyValueIterator<String, BatchCommand.SubmitChunk> it = scheduled.range("", BatchStores.dueUntil(now))) {
            while (it.hasNext() && due.size() < MAX_RELEASE_PER_PUNCTUATION) {
                due.add(it.next());
            }
        }
        for (KeyValue<String, BatchCommand.SubmitChunk> kv : due) {
            scheduled.delete(kv.key);
            // timestamp = the scheduled time: events of released recipients say when they were due
            context.forward(new Record<>(kv.value.batchId(), new GatedChunk(kv.value, false),
                    BatchStores.sendAtOfScheduleKey(kv.key)));
            released.record();
        }
    }

    private void purgeExpired(long now) {
        long expiredBefore = now - BatchStores.RETENTION.toMillis();
        purge(seen, expiredBefore);
        purge(cancelled, expiredBefore);
    }

    private static void purge(KeyValueStore<String, Long> store, long expiredBefore) {
        List<String> expired = new ArrayList<>();
        try (KeyValueIterator<String, Long> all = store.all()) {
            all.forEachRemaining(kv -> {
                if (kv.value < expiredBefore) {
                    expired.add(kv.key);
                }
            });
        }
        expired.forEach(store::delete);
    }
}
