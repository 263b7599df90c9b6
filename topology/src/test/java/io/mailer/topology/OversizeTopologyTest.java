package io.mailer.topology;

import static io.mailer.topology.TopologyFixture.expectedEvent;
import static io.mailer.topology.TopologyFixture.expectedSend;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.schemas.commands.BatchCommand;
import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.commands.RecipientEntry;
import io.mailer.schemas.events.EventType;
import io.mailer.schemas.events.SendRequest;
import io.mailer.schemas.limits.RecordBudget;
import io.mailer.topology.budget.BudgetedSerializer;
import io.mailer.topology.fanout.OversizedSendDeadLetters;
import io.mailer.topology.intake.DeadLetters;
import io.mailer.topology.system.SkipOversizedOutputHandler;
import io.micrometer.core.instrument.Counter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Outputs over the record budget (RecordBudget) never reach a sink and never stop the stream. */
class OversizeTopologyTest {

    /** A 1.2 MB html, as in the NDJSON batch that stopped the topology: every send of it is over budget. */
    private static final MessageContent HUGE = new MessageContent(TopologyFixture.MESSAGE.from(), null, "Hello {{name}}",
            "<p>" + "x".repeat(1_200_000) + "</p>", "Hi {{name}}", Map.of(), Map.of("campaign", "nov"), null, false);

    private final TopologyFixture fixture = new TopologyFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void shouldFailAndDeadLetterEveryRecipientOfAnOversizedMessageAndFanOutTheNextBatch() {
        // Given a chunk whose message alone is over the budget
        fixture.commands.pipeInput("big", TopologyFixture.chunk(HUGE, "acme", "big", 0, "ann@example.com",
                "bob@example.com"), TopologyFixture.WRITTEN);
        // When another tenant's batch follows it
        fixture.submit("globex", "small", 0, "cy@example.com");

        // Then nothing of the big batch is in sends, the next batch is
        assertThat(fixture.sends.readKeyValuesToList()).containsExactly(
                KeyValue.pair("small-0", expectedSend("globex", "small", 0, "cy@example.com")));
        // and each of its recipients has a FAILED event naming the size
        byte[] ann = serialized(expectedSend(HUGE, "acme", "big", 0, "ann@example.com"));
        byte[] bob = serialized(expectedSend(HUGE, "acme", "big", 1, "bob@example.com"));
        assertThat(ann.length).isGreaterThan(RecordBudget.MAX_RECORD_BYTES);
        assertThat(fixture.events.readKeyValuesToList()).containsExactly(
                KeyValue.pair("big-0", expectedEvent(EventType.FAILED, HUGE, "acme", "big", 0, "ann@example.com",
                        TopologyFixture.WRITTEN, "topology:too-large:" + ann.length)),
                KeyValue.pair("big-1", expectedEvent(EventType.FAILED, HUGE, "acme", "big", 1, "bob@example.com",
                        TopologyFixture.WRITTEN, "topology:too-large:" + bob.length)));
        // and is in sends-dlt with its reason; too large even for a dead letter, without its content
        List<TestRecord<String, byte[]>> dead = fixture.sendsDeadLetters.readRecordsToList();
        assertThat(dead).extracting(TestRecord::key).containsExactly("big-0", "big-1");
        SendRequest annSend = expectedSend(HUGE, "acme", "big", 0, "ann@example.com");
        assertThat(dead.get(0).value()).isEqualTo(serialized(new SendRequest(annSend.sendId(), "big", "acme", 0,
                "ann@example.com", null, null, null, annSend.createdAt())));
        assertThat(header(dead.get(0).headers(), OversizedSendDeadLetters.OMITTED)).isEqualTo("message,variables,metadata");
        assertThat(header(dead.get(0).headers(), OversizedSendDeadLetters.REASON)).isEqualTo("topology:too-large:" + ann.length);
        assertThat(header(dead.get(0).headers(), OversizedSendDeadLetters.BATCH_ID)).isEqualTo("big");
        assertThat(header(dead.get(0).headers(), DeadLetters.EXCEPTION_FQCN))
                .isEqualTo("org.apache.kafka.common.errors.RecordTooLargeException");
        assertThat(header(dead.get(0).headers(), DeadLetters.ORIGINAL_TOPIC)).isEqualTo(fixture.topics.sends.name());
        assertThat(fixture.counter(TopologyMetrics.RECIPIENTS_TOO_LARGE)).isEqualTo(2.0);
        assertThat(fixture.counter(TopologyMetrics.RECIPIENTS_FANNED_OUT)).isEqualTo(3.0);
    }

    @Test
    void shouldFailOnlyTheRecipientWhoseOwnVariablesPutItsSendOverTheBudget() {
        // Given a chunk of three where the middle recipient carries ~1 MB of variables
        BatchCommand.SubmitChunk chunk = TopologyFixture.chunk("acme", "b1", 0, "ann@example.com", "bob@example.com",
                "cy@example.com");
        RecipientEntry heavy = new RecipientEntry("bob@example.com", Map.of("bio", "y".repeat(1_000_000)), Map.of());
        BatchCommand withHeavy = BatchCommand.submitChunk("b1", "acme", 0, 1, 0, 3, chunk.message(),
                List.of(chunk.recipients().get(0), heavy, chunk.recipients().get(2)), chunk.createdAt());

        // When
        fixture.commands.pipeInput("b1", withHeavy, TopologyFixture.WRITTEN);

        // Then the other two are sent, the heavy one failed and dead-lettered
        assertThat(fixture.sends.readKeyValuesToList()).containsExactly(
                KeyValue.pair("b1-0", expectedSend("acme", "b1", 0, "ann@example.com")),
                KeyValue.pair("b1-2", expectedSend("acme", "b1", 2, "cy@example.com")));
        var events = fixture.events.readValuesToList();
        assertThat(events).hasSize(1);
        assertThat(events.get(0).type()).isEqualTo(EventType.FAILED);
        assertThat(events.get(0).sendId()).isEqualTo("b1-1");
        assertThat(events.get(0).reason()).startsWith("topology:too-large:");
        // with its whole value: it fits in a dead letter
        var dead = fixture.sendsDeadLetters.readRecordsToList();
        assertThat(dead).extracting(TestRecord::key).containsExactly("b1-1");
        assertThat(dead.get(0).value()).isEqualTo(serialized(new SendRequest("b1-1", "b1", "acme", 1, "bob@example.com",
                heavy.variables(), heavy.metadata(), chunk.message(), chunk.createdAt())));
        assertThat(dead.get(0).headers().lastHeader(OversizedSendDeadLetters.OMITTED)).isNull();
    }

    @Test
    void shouldSkipADeadLetterTooLargeForKafkaAndCarryOn() {
        // Given an unreadable record larger than any dead letter may be (max.request.size minus headroom)
        byte[] poison = "{".repeat(BudgetedSerializer.MAX_DEAD_LETTER_BYTES + 1).getBytes(StandardCharsets.UTF_8);
        fixture.rawCommands.pipeInput("b5", poison, TopologyFixture.WRITTEN);

        // When a good chunk follows it
        fixture.submit("acme", "b6", 0, "ann@example.com");

        // Then the dead letter was skipped (logged, counted) and the stream went on
        assertThat(fixture.deadLetters.isEmpty()).isTrue();
        assertThat(fixture.sends.readKeyValuesToList()).containsExactly(
                KeyValue.pair("b6-0", expectedSend("acme", "b6", 0, "ann@example.com")));
        assertThat(fixture.meters.find(SkipOversizedOutputHandler.SKIPPED_METER)
                .tag("topic", fixture.topics.batchCommandsDlt.name()).counters())
                .extracting(Counter::count).containsExactly(1.0);
    }

    private byte[] serialized(SendRequest send) {
        return fixture.topics.sends.valueSerde().serializer().serialize(fixture.topics.sends.name(), send);
    }

    private static String header(Headers headers, String name) {
        return new String(headers.lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
