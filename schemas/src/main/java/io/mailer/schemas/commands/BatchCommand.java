package io.mailer.schemas.commands;

import java.time.Instant;
import java.util.List;

/**
 * A record of the {@code batch-commands} topic, keyed by batch id.
 *
 * <p>A submitted batch arrives as {@code chunkCount} SUBMIT_CHUNK records; chunk {@code i} holds
 * the recipients whose batch-wide index starts at {@code firstRecipientIndex}. Indexes, not
 * positions in the chunk, make send ids deterministic however the batch was chunked.
 */
public record BatchCommand(
        Type type,
        String batchId,
        String tenantId,
        Integer chunkIndex,
        Integer chunkCount,
        Integer firstRecipientIndex,
        Integer totalRecipients,
        MessageContent message,
        List<RecipientEntry> recipients,
        Instant createdAt) {

    public enum Type { SUBMIT_CHUNK, CANCEL }

    public static BatchCommand submitChunk(String batchId, String tenantId, int chunkIndex, int chunkCount,
            int firstRecipientIndex, int totalRecipients, MessageContent message,
            List<RecipientEntry> recipients, Instant createdAt) {
        return new BatchCommand(Type.SUBMIT_CHUNK, batchId, tenantId, chunkIndex, chunkCount,
                firstRecipientIndex, totalRecipients, message, List.copyOf(recipients), createdAt);
    }

    public static BatchCommand cancel(String batchId, String tenantId, Instant createdAt) {
        return new BatchCommand(Type.CANCEL, batchId, tenantId, null, null, null, null, null, List.of(), createdAt);
    }
}
