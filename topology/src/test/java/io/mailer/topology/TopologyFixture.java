package io.mailer.topology;

import io.mailer.schemas.commands.BatchCommand;
import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.commands.RecipientEntry;
import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.EventType;
import io.mailer.schemas.events.SendRequest;
import io.mailer.schemas.events.Suppression;
import io.mailer.schemas.kafka.Topics;
import io.mailer.topology.intake.DeadLetters;
import io.mailer.topology.system.StreamsConfigFactory;
import io.mailer.topology.system.TopologyProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The production topology and configuration (exactly-once, deserialization handler) in a
 * {@link TopologyTestDriver}, with typed input and output topics from the shared registry.
 */
final class TopologyFixture implements AutoCloseable {

    static final Instant SUBMITTED = Instant.parse("2026-11-27T10:00:00Z");
    static final Instant WRITTEN = Instant.parse("2026-11-27T10:00:01Z");
    static final MessageContent MESSAGE = new MessageContent("news@mailer.example", null, "Hello {{name}}",
            "<p>Hi {{name}}</p>", "Hi {{name}}", Map.of(), Map.of("campaign", "nov"), null, false);

    final Topics topics = new Topics("test.");
    final TopologyTestDriver driver;
    final TestInputTopic<String, BatchCommand> commands;
    final TestInputTopic<String, byte[]> rawCommands;
    final TestInputTopic<String, Suppression> suppressions;
    final TestInputTopic<String, byte[]> rawSuppressions;
    final TestOutputTopic<String, SendRequest> sends;
    final TestOutputTopic<String, DeliveryEvent> events;
    final TestOutputTopic<String, byte[]> deadLetters;
    final TestOutputTopic<String, byte[]> sendsDeadLetters;
    /** Where the production exception handler counts the output records it skipped. */
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    TopologyFixture() {
        var props = new TopologyProperties("unused:9092", topics.prefix(), null, 0, Duration.ofSeconds(5), 128);
        driver = new TopologyTestDriver(TopologyFactory.build(new StreamsBuilder(), topics),
                StreamsConfigFactory.streamsConfig(props, meters), SUBMITTED);
        var keys = Serdes.String();
        commands = driver.createInputTopic(topics.batchCommands.name(), keys.serializer(),
                topics.batchCommands.valueSerde().serializer());
        rawCommands = driver.createInputTopic(topics.batchCommands.name(), keys.serializer(),
                Serdes.ByteArray().serializer());
        suppressions = driver.createInputTopic(topics.suppressions.name(), keys.serializer(),
                topics.suppressions.valueSerde().serializer());
        rawSuppressions = driver.createInputTopic(topics.suppressions.name(), keys.serializer(),
                Serdes.ByteArray().serializer());
        sends = driver.createOutputTopic(topics.sends.name(), keys.deserializer(),
                topics.sends.valueSerde().deserializer());
        events = driver.createOutputTopic(topics.deliveryEvents.name(), keys.deserializer(),
                topics.deliveryEvents.valueSerde().deserializer());
        deadLetters = driver.createOutputTopic(DeadLetters.batchCommandsDlt(topics), keys.deserializer(),
                Serdes.ByteArray().deserializer());
        sendsDeadLetters = driver.createOutputTopic(topics.sendsDlt.name(), keys.deserializer(),
                Serdes.ByteArray().deserializer());
    }

    /** A chunk as ingress writes it, at {@link #WRITTEN}. */
    void submit(String tenant, String batchId, int firstRecipientIndex, String... emails) {
        commands.pipeInput(batchId, chunk(tenant, batchId, firstRecipientIndex, emails), WRITTEN);
    }

    /** A chunk of a message to be sent at {@code sendAt}, written at {@link #WRITTEN}. */
    void submitScheduled(Instant sendAt, String tenant, String batchId, int firstRecipientIndex, String... emails) {
        commands.pipeInput(batchId, chunk(scheduled(sendAt), tenant, batchId, firstRecipientIndex, emails), WRITTEN);
    }

    /** A CANCEL as ingress writes it, at {@code at}. */
    void cancel(String tenant, String batchId, Instant at) {
        commands.pipeInput(batchId, BatchCommand.cancel(batchId, tenant, SUBMITTED), at);
    }

    static BatchCommand.SubmitChunk chunk(String tenant, String batchId, int firstRecipientIndex, String... emails) {
        return chunk(MESSAGE, tenant, batchId, firstRecipientIndex, emails);
    }

    static BatchCommand.SubmitChunk chunk(MessageContent message, String tenant, String batchId, int firstRecipientIndex,
            String... emails) {
        List<RecipientEntry> recipients = Arrays.stream(emails).map(TopologyFixture::recipient).toList();
        return BatchCommand.submitChunk(batchId, tenant, 0, 1, firstRecipientIndex, recipients.size(), message,
                recipients, SUBMITTED);
    }

    static MessageContent scheduled(Instant sendAt) {
        return new MessageContent(MESSAGE.from(), MESSAGE.replyTo(), MESSAGE.subject(), MESSAGE.html(), MESSAGE.text(),
                MESSAGE.headers(), MESSAGE.tags(), sendAt, MESSAGE.transactional());
    }

    static RecipientEntry recipient(String email) {
        return new RecipientEntry(email, Map.of("name", email.substring(0, email.indexOf('@'))),
                Map.of("crm", "id-" + email));
    }

    /** The send request the topology must write for this recipient of {@link #chunk}. */
    static SendRequest expectedSend(String tenant, String batchId, int index, String email) {
        return expectedSend(MESSAGE, tenant, batchId, index, email);
    }

    static SendRequest expectedSend(MessageContent message, String tenant, String batchId, int index, String email) {
        RecipientEntry r = recipient(email);
        return new SendRequest(batchId + "-" + index, batchId, tenant, index, email, r.variables(), r.metadata(),
                message, SUBMITTED);
    }

    /** The pipeline event (SUPPRESSED, CANCELLED) the topology must write for this recipient. */
    static DeliveryEvent expectedEvent(EventType type, MessageContent message, String tenant, String batchId,
            int index, String email, Instant at, String reason) {
        return DeliveryEvent.pipelineOutcome(type, expectedSend(message, tenant, batchId, index, email), at, null,
                reason);
    }

    void suppress(String tenant, String email, Suppression.Reason reason) {
        suppressions.pipeInput(Suppression.key(tenant, email),
                new Suppression(tenant, email, reason, "evt-" + email, SUBMITTED.minusSeconds(3600)));
    }

    void unsuppress(String tenant, String email) {
        suppressions.pipeInput(Suppression.key(tenant, email), null);
    }

    /** Total of one of the topology's own counters (see {@link TopologyMetrics}). */
    double counter(String operation) {
        return driver.metrics().entrySet().stream()
                .filter(e -> e.getKey().group().equals("stream-" + TopologyMetrics.SCOPE + "-metrics")
                        && e.getKey().name().equals(operation + "-total"))
                .map(Map.Entry::getValue)
                .mapToDouble(m -> ((Number) ((Metric) m).metricValue()).doubleValue())
                .sum();
    }

    @Override
    public void close() {
        driver.close();
    }
}
