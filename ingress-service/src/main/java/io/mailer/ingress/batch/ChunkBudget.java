package io.mailer.ingress.batch;

import io.mailer.schemas.limits.RecordBudget;

/**
 * Where a {@code batch-commands} chunk must end: at INGRESS_CHUNK_SIZE recipients, or earlier when
 * one more recipient would take the record past {@link RecordBudget#MAX_RECORD_BYTES} (a record
 * over the budget would be refused by the broker or stop a consumer). {@code envelopeBytes} is the
 * chunk without recipients, measured with the widest ids, so the estimate never falls short.
 */
final class ChunkBudget {

    private final int chunkSize;
    private final int envelopeBytes;
    private int recipients;
    private long recipientBytes;

    ChunkBudget(int chunkSize, int envelopeBytes) {
        this.chunkSize = chunkSize;
        this.envelopeBytes = envelopeBytes;
    }

    /** True when the chunk holds recipients and the next one (of {@code bytes}) belongs to a new chunk. */
    boolean full(int bytes) {
        return recipients > 0 && (recipients == chunkSize
                || envelopeBytes + recipientBytes + bytes + 1 > RecordBudget.MAX_RECORD_BYTES); // +1: the comma
    }

    void add(int bytes) {
        recipients++;
        recipientBytes += bytes + 1;
    }

    void reset() {
        recipients = 0;
        recipientBytes = 0;
    }

    /** How many chunks recipients of these sizes make: a JSON batch knows it before the first is written. */
    static int chunkCount(int[] sizes, int chunkSize, int envelopeBytes) {
        ChunkBudget budget = new ChunkBudget(chunkSize, envelopeBytes);
        int chunks = 1;
        for (int bytes : sizes) {
            if (budget.full(bytes)) {
                chunks++;
                budget.reset();
            }
            budget.add(bytes);
        }
        return chunks;
    }
}
