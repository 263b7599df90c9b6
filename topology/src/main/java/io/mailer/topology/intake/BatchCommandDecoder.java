package io.mailer.topology.intake;

import io.mailer.schemas.commands.BatchCommand;
import io.mailer.schemas.commands.RecipientEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Turns the raw bytes of a {@code batch-commands} record into a {@link DecodedCommand}.
 *
 * <p>The source reads bytes rather than using the JSON serde directly because Kafka Streams 4.1's
 * {@code DeserializationExceptionHandler} can only log-and-skip or fail (a handler that returns a
 * dead-letter record arrives with KIP-1034 in 4.2). Decoding here makes an unreadable or
 * incomplete command an ordinary record that the topology sends to the dead-letter topic,
 * transactionally and with the reason attached.
 */
public final class BatchCommandDecoder implements FixedKeyProcessor<String, byte[], DecodedCommand> {

    /** How far ahead a batch may be scheduled; the stores keep a scheduled chunk a little longer. */
    public static final Duration MAX_SCHEDULE_AHEAD = Duration.ofDays(30);

    static final String INVALID_COMMAND = "io.mailer.topology.InvalidBatchCommand";

    private final Deserializer<BatchCommand> deserializer;
    private FixedKeyProcessorContext<String, DecodedCommand> context;

    public BatchCommandDecoder(Deserializer<BatchCommand> deserializer) {
        this.deserializer = deserializer;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, DecodedCommand> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, byte[]> record) {
        context.forward(record.withValue(decode(record.value(), record.timestamp())));
    }

    DecodedCommand decode(byte[] raw, long writtenAtMs) {
        if (raw == null) {
            return DecodedCommand.rejected(null, INVALID_COMMAND, "empty value: batch-commands has no tombstones");
        }
        BatchCommand command;
        try {
            command = deserializer.deserialize(null, raw);
        } catch (RuntimeException e) {
            // JSON the types cannot hold (no or an unknown type, a chunk without its indexes) is
            // named like any other invalid command; anything else keeps the reader's own message
            String problem = UnreadableCommand.problem(raw);
            return problem == null ? DecodedCommand.rejected(raw, e.getClass().getName(), e.getMessage())
                    : DecodedCommand.rejected(raw, INVALID_COMMAND, problem);
        }
        String problem = problem(command, writtenAtMs);
        return problem == null ? DecodedCommand.accepted(command)
                : DecodedCommand.rejected(raw, INVALID_COMMAND, problem);
    }

    /** What makes a command unusable, or null. Ingress validates first; this guards the topology. */
    static String problem(BatchCommand c, long writtenAtMs) {
        if (blank(c.batchId()) || blank(c.tenantId())) {
            return "batchId and tenantId are required";
        }
        // Java 17 has no pattern switch; the type is sealed, so not a chunk means a cancel
        return c instanceof BatchCommand.SubmitChunk chunk ? problem(chunk, writtenAtMs) : null;
    }

    private static String problem(BatchCommand.SubmitChunk c, long writtenAtMs) {
        if (c.firstRecipientIndex() < 0) {
            return UnreadableCommand.NO_FIRST_RECIPIENT_INDEX;
        }
        if (c.message() == null) {
            return "SUBMIT_CHUNK needs a message";
        }
        // measured from when the chunk was written, not the wall clock, so a replay decides alike
        // compared as instants: a sendAt near Instant.MAX has no epoch millis (toEpochMilli throws)
        if (c.message().sendAt() != null && c.message().sendAt()
                .isAfter(Instant.ofEpochMilli(writtenAtMs).plus(MAX_SCHEDULE_AHEAD))) {
            return "sendAt is more than " + MAX_SCHEDULE_AHEAD.toDays() + " days ahead";
        }
        List<RecipientEntry> recipients = c.recipients() == null ? List.of() : c.recipients();
        for (int i = 0; i < recipients.size(); i++) {
            if (recipients.get(i) == null || blank(recipients.get(i).email())) {
                return "recipient at position " + i + " has no email";
            }
        }
        return null;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
