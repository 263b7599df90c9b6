package io.mailer.feedback.projector;

import io.mailer.feedback.projector.ProjectorRecord.BatchCancelled;
import io.mailer.feedback.projector.ProjectorRecord.ChunkSubmitted;
import io.mailer.feedback.projector.ProjectorRecord.EventRecorded;
import io.mailer.feedback.projector.ProjectorRecord.SuppressionPut;
import io.mailer.feedback.projector.ProjectorRecord.SuppressionRemoved;
import io.mailer.schemas.commands.BatchCommand;
import io.mailer.schemas.events.Suppression;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Projects one poll's worth of records into PostgreSQL in ONE transaction, with batched upserts.
 * Every statement is idempotent (ON CONFLICT, forward-only states, first-value-wins milestones),
 * so replaying records after a crash — the offsets are committed only after this transaction —
 * leaves the same rows.
 *
 * <p>Order inside the transaction, in two phases:
 * <ol>
 * <li>the rows no two transactions need to serialise on — recipients of new chunks, events and
 * their recipient states, suppressions — so concurrent consumers write them in parallel;
 * <li>then the per-batch advisory locks, and only under them the batch rows: the counters
 * ({@code batch_counts}, from each recipient write's before/after state in phase 1), chunk
 * upserts, cancels, SCHEDULED → PROCESSING, and the completion check.
 * </ol>
 * The locks guard the completion check against write skew (see {@link BatchTable}); taking them
 * before the check rather than at the start is enough, because the check is a new statement that
 * sees every transaction committed before the lock was granted. Every batch-row write happens
 * under its batch's lock, so a lock holder never waits for a transaction that waits for its lock
 * (no deadlock between the phases). Each statement group commutes with the others for a given
 * key, except cancel-after-chunk, which the order preserves.
 *
 * <p>Before the transaction (phase 0): the partition time of each batch ({@code batch_partition},
 * see {@link BatchPartitionTable}) and the daily partitions of those days ({@link ViewPartitions#ensure});
 * recipient and event rows of a batch whose day is past {@code VIEW_RETENTION_DAYS} are not written
 * (the batch row and its counters still are).
 */
public final class ProjectionWriter {

    private final TransactionTemplate transaction;
    private final BatchTable batches;
    private final RecipientTable recipients;
    private final EventTable events;
    private final SuppressionTable suppressions;
    private final BatchCountsTable counts;
    private final BatchPartitionTable batchPartitions;
    private final ViewPartitions partitions;

    /** For tests with fixed timestamps: no retention (100 years), partitions created on demand. */
    public ProjectionWriter(JdbcTemplate jdbc, TransactionTemplate transaction) {
        this(jdbc, transaction, new ViewPartitions(jdbc, 36_500));
    }

    public ProjectionWriter(JdbcTemplate jdbc, TransactionTemplate transaction, ViewPartitions partitions) {
        this.transaction = transaction;
        this.partitions = partitions;
        this.batchPartitions = new BatchPartitionTable(jdbc);
        this.batches = new BatchTable(jdbc);
        this.recipients = new RecipientTable(jdbc);
        this.events = new EventTable(jdbc);
        this.suppressions = new SuppressionTable(jdbc);
        this.counts = new BatchCountsTable(jdbc);
    }

    /** Writes the records and returns how many batches became COMPLETED. */
    public int write(List<? extends ProjectorRecord> records) {
        List<BatchCommand.SubmitChunk> chunks = new ArrayList<>();
        List<BatchCommand.Cancel> cancels = new ArrayList<>();
        List<EventRecorded> recorded = new ArrayList<>();
        // compacted-topic semantics: within a poll only the last record per key matters
        Map<String, ProjectorRecord> lastSuppression = new LinkedHashMap<>();
        Set<String> touchedBatches = new TreeSet<>();
        Set<String> lockedBatches = new TreeSet<>();
        Set<String> workedOnBatches = new TreeSet<>();
        for (ProjectorRecord r : records) {
            if (r instanceof ChunkSubmitted c) {
                chunks.add(c.command());
                touchedBatches.add(c.command().batchId());
            } else if (r instanceof BatchCancelled c) {
                cancels.add(c.command());
                lockedBatches.add(c.command().batchId());
            } else if (r instanceof EventRecorded e) {
                recorded.add(e);
                touchedBatches.add(e.event().batchId());
                workedOnBatches.add(e.event().batchId());
            } else if (r instanceof SuppressionPut p) {
                lastSuppression.remove(p.suppression().key());
                lastSuppression.put(p.suppression().key(), p);
            } else if (r instanceof SuppressionRemoved d) {
                String key = Suppression.key(d.tenantId(), d.email());
                lastSuppression.remove(key);
                lastSuppression.put(key, d);
            }
        }
        List<Suppression> puts = new ArrayList<>();
        List<String[]> deletes = new ArrayList<>();
        for (ProjectorRecord r : lastSuppression.values()) {
            if (r instanceof SuppressionPut p) {
                puts.add(p.suppression());
            } else if (r instanceof SuppressionRemoved d) {
                deletes.add(new String[] {d.tenantId(), d.email()});
            }
        }
        lockedBatches.addAll(touchedBatches);
        // phase 0, before the transaction (autocommit, no lock kept): each batch's partition time
        // and the partitions of those days; rows of days past the retention are not written
        Map<String, Instant> batchAt = batchAt(chunks, recorded);
        List<BatchCommand.SubmitChunk> chunkRows = chunks.stream()
                .filter(c -> partitions.retained(ViewPartitions.day(batchAt.get(c.batchId())))).toList();
        List<EventRecorded> eventRows = recorded.stream()
                .filter(e -> partitions.retained(ViewPartitions.day(batchAt.get(e.event().batchId())))).toList();
        Set<LocalDate> days = new TreeSet<>();
        chunkRows.forEach(c -> days.add(ViewPartitions.day(batchAt.get(c.batchId()))));
        eventRows.forEach(e -> days.add(ViewPartitions.day(batchAt.get(e.event().batchId()))));
        partitions.ensure(days);
        try {
            return writeRows(chunkRows, chunks, cancels, eventRows, recorded, puts, deletes, batchAt,
                    touchedBatches, lockedBatches, workedOnBatches);
        } catch (RuntimeException e) {
            // a partition may have been dropped meanwhile: check again on the retry
            partitions.forget();
            throw e;
        }
    }

    /**
     * The partition time of every batch of the poll: stored in {@code batch_partition}, or set now
     * from the poll — its chunk's createdAt (the batch's creation) if the poll has one, else the
     * earliest of its events' times.
     */
    private Map<String, Instant> batchAt(List<BatchCommand.SubmitChunk> chunks, List<EventRecorded> recorded) {
        Map<String, Instant> fromChunks = new TreeMap<>();
        for (BatchCommand.SubmitChunk c : chunks) {
            fromChunks.merge(c.batchId(), c.createdAt(), (a, b) -> a.isBefore(b) ? a : b);
        }
        Map<String, Instant> candidates = new TreeMap<>(fromChunks);
        for (EventRecorded e : recorded) {
            if (!fromChunks.containsKey(e.event().batchId())) {
                candidates.merge(e.event().batchId(), e.event().occurredAt(), (a, b) -> a.isBefore(b) ? a : b);
            }
        }
        return candidates.isEmpty() ? Map.of() : batchPartitions.resolve(candidates);
    }

    private int writeRows(List<BatchCommand.SubmitChunk> chunkRows, List<BatchCommand.SubmitChunk> chunks,
            List<BatchCommand.Cancel> cancels, List<EventRecorded> eventRows, List<EventRecorded> recorded,
            List<Suppression> puts, List<String[]> deletes, Map<String, Instant> batchAt, Set<String> touchedBatches,
            Set<String> lockedBatches, Set<String> workedOnBatches) {
        Integer completed = transaction.execute(status -> {
            // phase 1: no batch row, no lock
            if (!chunkRows.isEmpty()) {
                recipients.insertQueued(chunkRows, batchAt);
            }
            CountDeltas deltas = new CountDeltas();
            if (!eventRows.isEmpty()) {
                events.insert(eventRows, batchAt);
                deltas = recipients.applyEvents(eventRows, batchAt);
            }
            if (!puts.isEmpty()) {
                suppressions.upsert(puts);
            }
            if (!deletes.isEmpty()) {
                suppressions.delete(deletes);
            }
            // phase 2: the batch rows, under their locks (held until commit)
            batches.lockForCompletion(lockedBatches);
            counts.add(deltas);
            if (!chunks.isEmpty()) {
                batches.upsert(chunks);
            }
            if (!cancels.isEmpty()) {
                batches.cancel(cancels);
            }
            if (!recorded.isEmpty()) {
                batches.start(workedOnBatches);
            }
            return batches.completeFinished(touchedBatches);
        });
        return completed == null ? 0 : completed;
    }
}
