package io.mailer.feedback.projector;

import io.mailer.feedback.projector.ProjectorRecord.BatchCancelled;
import io.mailer.feedback.projector.ProjectorRecord.ChunkSubmitted;
import io.mailer.feedback.projector.ProjectorRecord.EventRecorded;
import io.mailer.feedback.projector.ProjectorRecord.Poison;
import io.mailer.feedback.projector.ProjectorRecord.SuppressionPut;
import io.mailer.feedback.projector.ProjectorRecord.SuppressionRemoved;
import io.mailer.schemas.commands.BatchCommand;
import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.EmailAddresses;
import io.mailer.schemas.events.Ids;
import io.mailer.schemas.events.Suppression;
import io.mailer.schemas.kafka.Topics;
import java.time.Instant;
import java.util.OptionalInt;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Turns raw records of the three source topics into {@link ProjectorRecord}s. Everything the
 * database would reject (missing ids, tenant, timestamps) is caught here, so that a bad record
 * becomes a dead letter instead of a failed transaction that blocks the partition.
 */
final class RecordDecoder {

    static final String UNREADABLE = "unreadable";
    static final String INVALID = "invalid";

    private final Topics topics;

    public RecordDecoder(Topics topics) {
        this.topics = topics;
    }

    public ProjectorRecord decode(ConsumerRecord<String, byte[]> record) {
        try {
            String topic = record.topic();
            if (topic.equals(topics.batchCommands.name())) {
                return command(record);
            }
            if (topic.equals(topics.deliveryEvents.name())) {
                return event(record);
            }
            if (topic.equals(topics.suppressions.name())) {
                return suppression(record);
            }
            return new Poison(record, INVALID, "unexpected topic " + topic);
        } catch (SerializationException e) {
            return new Poison(record, UNREADABLE, e.getMessage());
        }
    }

    private ProjectorRecord command(ConsumerRecord<String, byte[]> record) {
        // a command without a (known) type, or a chunk without its indexes, does not read: the
        // SerializationException makes it an unreadable poison (see decode)
        BatchCommand c = topics.batchCommands.valueSerde().deserializer().deserialize(record.topic(), record.value());
        if (c == null || blank(c.batchId()) || blank(c.tenantId()) || c.createdAt() == null) {
            return new Poison(record, INVALID, "command without batchId, tenantId or createdAt");
        }
        if (c instanceof BatchCommand.Cancel cancel) {
            return new BatchCancelled(record, cancel);
        }
        BatchCommand.SubmitChunk chunk = (BatchCommand.SubmitChunk) c; // sealed: not a cancel is a chunk
        if (chunk.recipients() == null || chunk.recipients().stream().anyMatch(r -> r == null || blank(r.email()))) {
            return new Poison(record, INVALID, "chunk without recipient emails");
        }
        return new ChunkSubmitted(record, chunk);
    }

    private ProjectorRecord event(ConsumerRecord<String, byte[]> record) {
        DeliveryEvent e = topics.deliveryEvents.valueSerde().deserializer().deserialize(record.topic(), record.value());
        if (e == null || blank(e.eventId()) || e.type() == null || blank(e.sendId()) || blank(e.batchId())
                || blank(e.tenantId()) || blank(e.email()) || e.occurredAt() == null) {
            return new Poison(record, INVALID, "event without eventId, type, sendId, batchId, tenantId, email or occurredAt");
        }
        OptionalInt index = e.recipientIndex() != null ? OptionalInt.of(e.recipientIndex()) : Ids.recipientIndex(e.sendId(), e.batchId());
        if (index.isEmpty()) {
            return new Poison(record, INVALID, "no recipient index and send id " + e.sendId() + " has none");
        }
        return new EventRecorded(record, e, index.getAsInt());
    }

    private ProjectorRecord suppression(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            String key = record.key();
            int bar = key == null ? -1 : key.indexOf('|');
            if (bar <= 0 || bar == key.length() - 1) {
                return new Poison(record, INVALID, "tombstone key is not tenant|email");
            }
            return new SuppressionRemoved(record, key.substring(0, bar), EmailAddresses.normalize(key.substring(bar + 1)));
        }
        Suppression s = topics.suppressions.valueSerde().deserializer().deserialize(record.topic(), record.value());
        if (blank(s.tenantId()) || blank(s.email()) || s.reason() == null) {
            return new Poison(record, INVALID, "suppression without tenantId, email or reason");
        }
        if (s.createdAt() == null) {
            // the record timestamp is the next best "since when"; deterministic under redelivery
            s = new Suppression(s.tenantId(), s.email(), s.reason(), s.sourceEventId(),
                    Instant.ofEpochMilli(record.timestamp()));
        }
        return new SuppressionPut(record, s);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
