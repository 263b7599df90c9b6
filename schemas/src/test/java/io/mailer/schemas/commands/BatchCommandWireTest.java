package io.mailer.schemas.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailer.schemas.kafka.Json;
import io.mailer.schemas.kafka.Topic;
import io.mailer.schemas.kafka.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/**
 * The wire format of {@code batch-commands} did not change when BatchCommand became a sealed type
 * (issue 17): the literals below are what the single-record form (a {@code type} enum and nullable
 * chunk fields, up to commit 768da5f) wrote for these values, captured by running that code.
 */
class BatchCommandWireTest {

    private static final Topic<String, BatchCommand> TOPIC = new Topics("mailer.").batchCommands;
    private static final Instant NOW = Instant.parse("2026-11-27T10:15:30.123Z");

    private static final String OLD_SUBMIT_CHUNK = "{\"type\":\"SUBMIT_CHUNK\",\"batchId\":\"bat_1\",\"tenantId\":\"acme\","
            + "\"chunkIndex\":1,\"chunkCount\":3,\"firstRecipientIndex\":500,\"totalRecipients\":1200,"
            + "\"message\":{\"from\":\"News <news@example.com>\",\"replyTo\":\"help@example.com\",\"subject\":\"Hello {{name}}\","
            + "\"html\":\"<p>Hi {{name}}</p>\",\"text\":\"Hi {{name}}\",\"headers\":{\"X-Campaign\":\"nov\"},"
            + "\"tags\":{\"campaign\":\"nov\"},\"sendAt\":\"2026-11-28T08:00:00Z\",\"transactional\":false,"
            + "\"configurationSet\":\"tenant-cs\"},"
            + "\"recipients\":[{\"email\":\"a@example.com\",\"variables\":{\"name\":\"Ann\"},\"metadata\":{\"crm\":\"42\"}}],"
            + "\"createdAt\":\"2026-11-27T10:15:30.123Z\"}";

    /** A chunk of a streamed batch before the last one: the chunk count is not known yet. */
    private static final String OLD_STREAMED_CHUNK = "{\"type\":\"SUBMIT_CHUNK\",\"batchId\":\"bat_1\",\"tenantId\":\"acme\","
            + "\"chunkIndex\":0,\"chunkCount\":null,\"firstRecipientIndex\":0,\"totalRecipients\":10000,"
            + "\"message\":{\"from\":\"a@example.com\",\"replyTo\":null,\"subject\":\"s\",\"html\":null,\"text\":\"t\","
            + "\"headers\":{},\"tags\":{},\"sendAt\":null,\"transactional\":true,\"configurationSet\":null},"
            + "\"recipients\":[{\"email\":\"b@example.com\",\"variables\":{},\"metadata\":{}}],"
            + "\"createdAt\":\"2026-11-27T10:15:30.123Z\"}";

    private static final String OLD_CANCEL = "{\"type\":\"CANCEL\",\"batchId\":\"bat_1\",\"tenantId\":\"acme\","
            + "\"chunkIndex\":null,\"chunkCount\":null,\"firstRecipientIndex\":null,\"totalRecipients\":null,"
            + "\"message\":null,\"recipients\":[],\"createdAt\":\"2026-11-27T10:15:30.123Z\"}";

    /** The old cancel without the chunk fields it had to carry as nulls (and an empty list). */
    private static final String NEW_CANCEL = "{\"type\":\"CANCEL\",\"batchId\":\"bat_1\",\"tenantId\":\"acme\","
            + "\"createdAt\":\"2026-11-27T10:15:30.123Z\"}";

    private static final BatchCommand.SubmitChunk SUBMIT_CHUNK = BatchCommand.submitChunk("bat_1", "acme", 1, 3, 500, 1200,
            new MessageContent("News <news@example.com>", "help@example.com", "Hello {{name}}", "<p>Hi {{name}}</p>",
                    "Hi {{name}}", Map.of("X-Campaign", "nov"), Map.of("campaign", "nov"),
                    Instant.parse("2026-11-28T08:00:00Z"), false, "tenant-cs"),
            List.of(new RecipientEntry("a@example.com", Map.of("name", "Ann"), Map.of("crm", "42"))), NOW);
    private static final BatchCommand.SubmitChunk STREAMED_CHUNK = BatchCommand.submitChunk("bat_1", "acme", 0, null, 0,
            10000, new MessageContent("a@example.com", null, "s", null, "t", Map.of(), Map.of(), null, true),
            List.of(new RecipientEntry("b@example.com", null, null)), NOW);
    private static final BatchCommand.Cancel CANCEL = BatchCommand.cancel("bat_1", "acme", NOW);

    @Test
    void shouldReadWhatTheOldCodeWroteAsTheNewTypes() {
        assertThat(read(OLD_SUBMIT_CHUNK)).isInstanceOf(BatchCommand.SubmitChunk.class).isEqualTo(SUBMIT_CHUNK);
        assertThat(read(OLD_STREAMED_CHUNK)).isInstanceOf(BatchCommand.SubmitChunk.class).isEqualTo(STREAMED_CHUNK);
        assertThat(((BatchCommand.SubmitChunk) read(OLD_STREAMED_CHUNK)).chunkCount()).isNull();
        assertThat(read(OLD_CANCEL)).isInstanceOf(BatchCommand.Cancel.class).isEqualTo(CANCEL);
    }

    @Test
    void shouldWriteChunksByteForByteAsTheOldCodeDid() {
        assertThat(write(SUBMIT_CHUNK)).isEqualTo(OLD_SUBMIT_CHUNK);
        assertThat(write(STREAMED_CHUNK)).isEqualTo(OLD_STREAMED_CHUNK);
    }

    @Test
    void shouldWriteCancelAsTheOldOneWithoutItsNullChunkFields() {
        assertThat(write(CANCEL)).isEqualTo(NEW_CANCEL);
        // exactly the old JSON minus the fields a cancel never had a value for, in the same order
        ObjectNode old = (ObjectNode) Json.MAPPER.readTree(OLD_CANCEL);
        old.remove(List.of("chunkIndex", "chunkCount", "firstRecipientIndex", "totalRecipients", "message", "recipients"));
        assertThat(Json.MAPPER.writeValueAsString(old)).isEqualTo(NEW_CANCEL);
    }

    @Test
    void shouldBeReadableByTheOldShapeDuringARollingUpgrade() {
        // a consumer still on the old code reads what the new code writes as it read the old bytes
        assertThat(readOld(write(SUBMIT_CHUNK))).isEqualTo(readOld(OLD_SUBMIT_CHUNK));
        assertThat(readOld(write(STREAMED_CHUNK))).isEqualTo(readOld(OLD_STREAMED_CHUNK));
        OldBatchCommand cancel = readOld(write(CANCEL));
        // recipients: null instead of []; no old reader looks at them for a CANCEL (the topology's
        // decoder and gate and the projector stop at the type)
        assertThat(cancel).isEqualTo(new OldBatchCommand(OldBatchCommand.Type.CANCEL, "bat_1", "acme",
                null, null, null, null, null, null, NOW));
        assertThat(readOld(OLD_CANCEL).recipients()).isEmpty();
    }

    @Test
    void shouldRefuseToReadACommandWithoutAKnownType() {
        assertThatThrownBy(() -> read("{\"batchId\":\"b\",\"tenantId\":\"t\"}")).isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("Cannot read BatchCommand from mailer.batch-commands");
        assertThatThrownBy(() -> read("{\"type\":null,\"batchId\":\"b\"}")).isInstanceOf(SerializationException.class);
        assertThatThrownBy(() -> read("{\"type\":\"PAUSE\",\"batchId\":\"b\"}")).isInstanceOf(SerializationException.class)
                .hasMessageContaining("PAUSE");
    }

    @Test
    void shouldRefuseToReadAChunkWithoutItsIndexesRatherThanMakeThemZero() {
        for (String field : List.of("chunkIndex", "firstRecipientIndex", "totalRecipients")) {
            ObjectNode missing = (ObjectNode) Json.MAPPER.readTree(OLD_SUBMIT_CHUNK);
            missing.remove(field);
            assertThatThrownBy(() -> read(missing.toString())).as(field + " missing")
                    .isInstanceOf(SerializationException.class).hasMessageContaining(field);
            ObjectNode nulled = (ObjectNode) Json.MAPPER.readTree(OLD_SUBMIT_CHUNK);
            nulled.putNull(field);
            assertThatThrownBy(() -> read(nulled.toString())).as(field + " null").isInstanceOf(SerializationException.class);
        }
    }

    private static BatchCommand read(String json) {
        return TOPIC.valueSerde().deserializer().deserialize(TOPIC.name(), json.getBytes(StandardCharsets.UTF_8));
    }

    private static String write(BatchCommand command) {
        return new String(TOPIC.valueSerde().serializer().serialize(TOPIC.name(), command), StandardCharsets.UTF_8);
    }

    private static OldBatchCommand readOld(String json) {
        return Json.MAPPER.readValue(json, OldBatchCommand.class);
    }

    /** BatchCommand as it was before issue 17 (the reader of a consumer not yet upgraded). */
    record OldBatchCommand(Type type, String batchId, String tenantId, Integer chunkIndex, Integer chunkCount,
            Integer firstRecipientIndex, Integer totalRecipients, MessageContent message, List<RecipientEntry> recipients,
            Instant createdAt) {

        enum Type { SUBMIT_CHUNK, CANCEL }
    }
}
