package io.mailer.dispatcher.ledger;

import io.mailer.schemas.commands.BatchCancellation;

/**
 * Batches cancelled through the API: the compacted {@code batch-cancellations} topic (key = batch
 * id), read fully and followed. Sends of these batches still in {@code sends} are skipped.
 */
public final class CancelledBatches {

    private final CompactedTopicView<BatchCancellation> view;

    public CancelledBatches(CompactedTopicView<BatchCancellation> view) {
        this.view = view;
    }

    /** False until every cancellation written before this replica started is known. */
    public boolean isReady() {
        return view.isInitialized();
    }

    public boolean isCancelled(String batchId) {
        return batchId != null && view.contains(batchId);
    }
}
