package io.mailer.ingress.batch;

import io.mailer.schemas.commands.BatchCommand;
import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.commands.RecipientEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * One batch as one Kafka transaction, filled while the request body streams: memory holds one
 * chunk, not the batch. Nothing is visible to read_committed consumers until {@link #commit};
 * closing without a commit aborts.
 *
 * <p>A streamed batch does not know its size until the end, so chunks before the last carry
 * {@code chunkCount = null} and {@code totalRecipients} = the limit (an upper bound that can never
 * make the projector think the batch finished early); the last chunk carries the exact values and,
 * as the last record of the batch key, overwrites them in the view.
 *
 * <p>A chunk ends at {@code chunkSize} recipients or earlier, before it would pass the record budget
 * ({@link ChunkBudget}); a JSON batch passes every recipient's size up front so its chunks still
 * carry the exact chunk count.
 */
final class ChunkedBatchWriter implements AutoCloseable {

    private final Producer<String, Object> producer;
    private final String topic;
    private final String batchId;
    private final String tenantId;
    private final MessageContent message;
    private final int chunkSize;
    private final Instant createdAt;
    private final List<RecipientEntry> pending;
    private final ChunkBudget budget;
    private final int envelopeBytes;
    private int upperBound = Integer.MAX_VALUE;
    private Integer knownTotal;
    private Integer knownChunkCount;
    private int count;
    private int chunkIndex;
    private boolean committed;

    ChunkedBatchWriter(Producer<String, Object> producer, String topic, String batchId, String tenantId,
            MessageContent message, int chunkSize, Instant createdAt) {
        this.producer = producer;
        this.topic = topic;
        this.batchId = batchId;
        this.tenantId = tenantId;
        this.message = message;
        this.chunkSize = chunkSize;
        this.createdAt = createdAt;
        this.pending = new ArrayList<>(Math.min(chunkSize, 1024));
        // the widest ids, so the real chunk is never larger than measured
        this.envelopeBytes = RecordSizes.jsonBytes(BatchCommand.submitChunk(batchId, tenantId,
                Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, message, List.of(), createdAt));
        this.budget = new ChunkBudget(chunkSize, envelopeBytes);
        producer.beginTransaction();
    }

    /** The most recipients this batch may reach; written into the non-final chunks. */
    public ChunkedBatchWriter upperBound(int max) {
        this.upperBound = max;
        return this;
    }

    /**
     * A JSON batch knows its recipients up front (their JSON sizes, in order): then every chunk
     * carries the exact totals and chunk count.
     */
    public ChunkedBatchWriter knownSizes(int[] recipientBytes) {
        this.knownTotal = recipientBytes.length;
        this.knownChunkCount = ChunkBudget.chunkCount(recipientBytes, chunkSize, envelopeBytes);
        return this;
    }

    /** Adds a recipient whose JSON encoding is {@code bytes} long (at most the recipient budget). */
    public void add(RecipientEntry recipient, int bytes) {
        // keep one full chunk back: the final chunk must be the one that carries the exact totals
        if (budget.full(bytes)) {
            send(BatchCommand.submitChunk(batchId, tenantId, chunkIndex, 1, count - pending.size(), upperBound, message,
                    pending, createdAt), true);
            pending.clear();
            budget.reset();
        }
        pending.add(recipient);
        budget.add(bytes);
        count++;
    }

    public int count() {
        return count;
    }

    /** Sends the last chunk and commits; returns once the broker has the commit. */
    public void commit(int expectedTotal) {
        if (expectedTotal != count) {
            throw new IllegalStateException("added " + count + " recipients, expected " + expectedTotal);
        }
        int chunkCount = chunkIndex + 1;
        send(BatchCommand.submitChunk(batchId, tenantId, chunkIndex, chunkCount, count - pending.size(), count, message,
                pending, createdAt), false);
        // flushes first and fails if any record of the transaction failed
        producer.commitTransaction();
        committed = true;
    }

    private void send(BatchCommand.SubmitChunk chunk, boolean early) {
        BatchCommand.SubmitChunk value = chunk;
        if (early) {
            Integer chunkCount = knownChunkCount;
            int total = knownTotal == null ? upperBound : knownTotal;
            value = new BatchCommand.SubmitChunk(batchId, tenantId, chunk.chunkIndex(), chunkCount,
                    chunk.firstRecipientIndex(), total, message, chunk.recipients(), createdAt);
        }
        producer.send(new ProducerRecord<>(topic, batchId, value));
        chunkIndex++;
    }

    @Override
    public void close() {
        try {
            if (!committed) {
                producer.abortTransaction();
            }
        } finally {
            producer.close(); // back to the factory's cache
        }
    }
}
