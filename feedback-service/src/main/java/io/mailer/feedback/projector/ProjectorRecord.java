package io.mailer.feedback.projector;

import io.mailer.schemas.commands.BatchCommand;
import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.Suppression;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** One consumed record, decoded and checked: something to project, or poison to dead-letter. */
public sealed interface ProjectorRecord {

    ConsumerRecord<String, byte[]> source();

    /** A SUBMIT_CHUNK command: the batch row and this chunk's recipient rows. */
    record ChunkSubmitted(ConsumerRecord<String, byte[]> source, BatchCommand.SubmitChunk command) implements ProjectorRecord {
    }

    /** A CANCEL command. */
    record BatchCancelled(ConsumerRecord<String, byte[]> source, BatchCommand.Cancel command) implements ProjectorRecord {
    }

    /** A delivery event, with the recipient index resolved (from the event or its send id). */
    record EventRecorded(ConsumerRecord<String, byte[]> source, DeliveryEvent event, int recipientIndex)
            implements ProjectorRecord {
    }

    /** A suppression upsert. */
    record SuppressionPut(ConsumerRecord<String, byte[]> source, Suppression suppression) implements ProjectorRecord {
    }

    /** A suppression tombstone, decoded from its key (tenant + '|' + normalized address). */
    record SuppressionRemoved(ConsumerRecord<String, byte[]> source, String tenantId, String email)
            implements ProjectorRecord {
    }

    /** A record the projector cannot use; it goes to the projector DLT and the partition moves on. */
    record Poison(ConsumerRecord<String, byte[]> source, String reason, String detail) implements ProjectorRecord {
    }
}
