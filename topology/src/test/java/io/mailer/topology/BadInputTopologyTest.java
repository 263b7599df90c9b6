package io.mailer.topology;

import static io.mailer.topology.TopologyFixture.expectedSend;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.schemas.kafka.Json;
import io.mailer.topology.intake.DeadLetters;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

class BadInputTopologyTest {

    private final TopologyFixture fixture = new TopologyFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void shouldDeadLetterPoisonRecordWithReasonAndKeepProcessing() {
        // Given a record that is not JSON, carrying a trace header, at offset 0
        byte[] poison = "{\"type\":\"SUBMIT_CHUNK\",".getBytes(StandardCharsets.UTF_8);
        Headers trace = new RecordHeaders().add("traceparent", "00-abc-def-01".getBytes(StandardCharsets.UTF_8));
        fixture.rawCommands.pipeInput(new TestRecord<>("b5", poison, trace, TopologyFixture.WRITTEN));

        // When a good chunk follows it (offset 1)
        fixture.submit("acme", "b6", 0, "ann@example.com");

        // Then the poison record is in the dead-letter topic, unchanged, with its reason and origin
        var dead = fixture.deadLetters.readRecordsToList();
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).key()).isEqualTo("b5");
        assertThat(dead.get(0).value()).isEqualTo(poison);
        Map<String, String> headers = textHeaders(dead.get(0).headers());
        assertThat(headers).containsOnlyKeys("traceparent", DeadLetters.EXCEPTION_FQCN, DeadLetters.EXCEPTION_MESSAGE,
                DeadLetters.ORIGINAL_TOPIC, DeadLetters.ORIGINAL_PARTITION, DeadLetters.ORIGINAL_OFFSET,
                DeadLetters.ORIGINAL_TIMESTAMP);
        assertThat(headers.get("traceparent")).isEqualTo("00-abc-def-01");
        assertThat(headers.get(DeadLetters.EXCEPTION_FQCN))
                .isEqualTo("org.apache.kafka.common.errors.SerializationException");
        assertThat(headers.get(DeadLetters.EXCEPTION_MESSAGE)).startsWith("Cannot read BatchCommand from");
        assertThat(headers.get(DeadLetters.ORIGINAL_TOPIC)).isEqualTo(fixture.topics.batchCommands.name());
        assertThat(ByteBuffer.wrap(dead.get(0).headers().lastHeader(DeadLetters.ORIGINAL_PARTITION).value()).getInt())
                .isZero();
        assertThat(ByteBuffer.wrap(dead.get(0).headers().lastHeader(DeadLetters.ORIGINAL_OFFSET).value()).getLong())
                .isZero();
        assertThat(ByteBuffer.wrap(dead.get(0).headers().lastHeader(DeadLetters.ORIGINAL_TIMESTAMP).value()).getLong())
                .isEqualTo(TopologyFixture.WRITTEN.toEpochMilli());
        // and the stream went on with the next record
        assertThat(fixture.sends.readKeyValuesToList()).containsExactly(
                KeyValue.pair("b6-0", expectedSend("acme", "b6", 0, "ann@example.com")));
        assertThat(fixture.events.isEmpty()).isTrue();
        assertThat(fixture.counter(TopologyMetrics.COMMANDS_DEAD_LETTERED)).isEqualTo(1.0);
    }

    @Test
    void shouldDeadLetterChunkThatCannotBeFannedOut() {
        // Given a well-formed JSON chunk without firstRecipientIndex (send ids would be guesses)
        // (BatchCommand.SubmitChunk cannot hold one: the JSON is what such a record would be)
        ObjectNode json = (ObjectNode) Json.MAPPER.valueToTree(TopologyFixture.chunk("acme", "b9", 0, "ann@example.com"));
        json.remove("firstRecipientIndex");
        byte[] noIndex = Json.MAPPER.writeValueAsBytes(json);

        // When
        fixture.rawCommands.pipeInput("b9", noIndex);

        // Then it is dead-lettered with the reason, and nothing is sent
        var dead = fixture.deadLetters.readRecordsToList();
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).value()).isEqualTo(noIndex);
        assertThat(textHeaders(dead.get(0).headers()))
                .containsEntry(DeadLetters.EXCEPTION_FQCN, "io.mailer.topology.InvalidBatchCommand")
                .containsEntry(DeadLetters.EXCEPTION_MESSAGE, "SUBMIT_CHUNK needs firstRecipientIndex >= 0");
        assertThat(fixture.sends.isEmpty()).isTrue();
        assertThat(fixture.events.isEmpty()).isTrue();
    }

    @Test
    void shouldDeadLetterCommandsTheSealedTypeCannotReadWithTheReasonTheyAreInvalid() {
        // Given commands that are JSON but no BatchCommand: no type, an unknown type, missing fields
        ObjectNode chunk = (ObjectNode) Json.MAPPER.valueToTree(TopologyFixture.chunk("acme", "b12", 0, "ann@example.com"));
        Map<String, String> reasons = new LinkedHashMap<>();
        reasons.put(without(chunk, "type"), "type is missing");
        reasons.put(with(chunk, "type", null), "type is missing");
        reasons.put(with(chunk, "type", "PAUSE"), "unsupported command type PAUSE");
        reasons.put(with(without(chunk, "batchId"), "firstRecipientIndex", null), "batchId and tenantId are required");
        reasons.put(with(chunk, "firstRecipientIndex", null), "SUBMIT_CHUNK needs firstRecipientIndex >= 0");
        reasons.put(with(chunk, "firstRecipientIndex", -1), "SUBMIT_CHUNK needs firstRecipientIndex >= 0");
        reasons.put(without(chunk, "chunkIndex"), "SUBMIT_CHUNK needs chunkIndex");
        reasons.put(without(chunk, "totalRecipients"), "SUBMIT_CHUNK needs totalRecipients");
        reasons.put(without(chunk, "message"), "SUBMIT_CHUNK needs a message");

        // When each is written, then a good chunk
        reasons.keySet().forEach(json -> fixture.rawCommands.pipeInput("b12", json.getBytes(StandardCharsets.UTF_8)));
        fixture.submit("acme", "b13", 0, "ann@example.com");

        // Then each is dead-lettered as an invalid command with its reason, and the stream went on
        var dead = fixture.deadLetters.readRecordsToList();
        assertThat(dead).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactlyElementsOf(reasons.keySet());
        assertThat(dead).extracting(r -> textHeaders(r.headers()).get(DeadLetters.EXCEPTION_FQCN))
                .containsOnly("io.mailer.topology.InvalidBatchCommand");
        assertThat(dead).extracting(r -> textHeaders(r.headers()).get(DeadLetters.EXCEPTION_MESSAGE))
                .containsExactlyElementsOf(reasons.values());
        assertThat(fixture.sends.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("b13-0");
    }

    @Test
    void shouldDeadLetterASendAtBeyondEpochMillisAndSendAFarPastOneNow() {
        // Given chunks whose sendAt has no epoch millis (toEpochMilli would throw on the stream thread)
        fixture.commands.pipeInput("b10", TopologyFixture.chunk(TopologyFixture.scheduled(java.time.Instant.MAX),
                "acme", "b10", 0, "ann@example.com"));
        fixture.commands.pipeInput("b11", TopologyFixture.chunk(TopologyFixture.scheduled(java.time.Instant.MIN),
                "acme", "b11", 0, "bob@example.com"));

        // Then the far-future one is dead-lettered with its reason, the far-past one goes out at once
        var dead = fixture.deadLetters.readRecordsToList();
        assertThat(dead).hasSize(1);
        assertThat(textHeaders(dead.get(0).headers()).get(DeadLetters.EXCEPTION_MESSAGE)).startsWith("sendAt is more than");
        assertThat(fixture.sends.readKeyValuesToList()).extracting(kv -> kv.key).containsExactly("b11-0");
    }

    private static String without(ObjectNode command, String field) {
        ObjectNode copy = command.deepCopy();
        copy.remove(field);
        return copy.toString();
    }

    private static String with(ObjectNode command, String field, Object value) {
        return with(command.toString(), field, value);
    }

    private static String with(String command, String field, Object value) {
        ObjectNode copy = (ObjectNode) Json.MAPPER.readTree(command);
        copy.set(field, value == null ? copy.nullNode() : Json.MAPPER.valueToTree(value));
        return copy.toString();
    }

    private static Map<String, String> textHeaders(Headers headers) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Header h : headers) {
            out.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
        }
        return out;
    }
}
