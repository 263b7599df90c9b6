package io.mailer.schemas.commands;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;
import java.util.List;

/**
 * A record of the {@code batch-commands} topic, keyed by batch id: a {@link SubmitChunk} or a
 * {@link Cancel}.
 *
 * <p>A submitted batch arrives as {@code chunkCount} SUBMIT_CHUNK records; chunk {@code i} holds
 * the recipients whose batch-wide index starts at {@code firstRecipientIndex}. Indexes, not
 * positions in the chunk, make send ids deterministic however the batch was chunked.
 *
 * <p>On the wire the kind is the {@code "type"} property, written first ({@code "SUBMIT_CHUNK"} or
 * {@code "CANCEL"}), followed by the record's fields in declaration order: the JSON that the
 * single-record form with a {@code type} enum wrote, so records already on the topic still read
 * (see batch-command.schema.json). A missing or unknown {@code type} is a read error
 * ({@code InvalidTypeIdException}); readers turn it into a dead letter.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = BatchCommand.SubmitChunk.class, name = "SUBMIT_CHUNK"),
        @JsonSubTypes.Type(value = BatchCommand.Cancel.class, name = "CANCEL")})
public sealed interface BatchCommand permits BatchCommand.SubmitChunk, BatchCommand.Cancel {

    String batchId();

    String tenantId();

    Instant createdAt();

    /**
     * Some recipients of a batch. The indexes are required on the wire (a missing one is a read
     * error, not a silent 0: send ids are made of {@code firstRecipientIndex}). {@code chunkCount}
     * is null on the chunks of a streamed batch before the last one, which is the first to know it
     * (see ingress's ChunkedBatchWriter). {@code message} and {@code recipients} are always written;
     * readers still check them, as they check every record they consume.
     */
    record SubmitChunk(
            String batchId,
            String tenantId,
            @JsonProperty(required = true) int chunkIndex,
            Integer chunkCount,
            @JsonProperty(required = true) int firstRecipientIndex,
            @JsonProperty(required = true) int totalRecipients,
            MessageContent message,
            List<RecipientEntry> recipients,
            Instant createdAt) implements BatchCommand {
    }

    /** Stops the batch's recipients that are not sent yet. */
    record Cancel(String batchId, String tenantId, Instant createdAt) implements BatchCommand {
    }

    static SubmitChunk submitChunk(String batchId, String tenantId, int chunkIndex, Integer chunkCount,
            int firstRecipientIndex, int totalRecipients, MessageContent message,
            List<RecipientEntry> recipients, Instant createdAt) {
        return new SubmitChunk(batchId, tenantId, chunkIndex, chunkCount, firstRecipientIndex, totalRecipients,
                message, List.copyOf(recipients), createdAt);
    }

    static Cancel cancel(String batchId, String tenantId, Instant createdAt) {
        return new Cancel(batchId, tenantId, createdAt);
    }
}
