package io.mailer.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailer.devstack.EmbeddedKafka;
import io.mailer.schemas.commands.BatchCommand;
import io.mailer.schemas.commands.RecipientEntry;
import io.mailer.schemas.events.Suppression;
import io.mailer.schemas.kafka.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once under a crash: the Streams instance runs in its own JVM and is SIGKILLed in the
 * middle of a 100,000-recipient batch — no commit, no close, an open transaction left behind —
 * then restarted on the same state directory.
 */
class KillAndRestartIntegrationTest {

    private static final int RECIPIENTS = 100_000;
    private static final int CHUNK = 1_000;
    private static final String BATCH = "crash-batch";
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    /** C1 only: the child JVM is short-lived, and startup dominates its run time. */
    private static final List<String> JVM = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private final Topics topics = new Topics("crash.");
    private final Map<String, Integer> sends = new HashMap<>();
    private final Map<String, Integer> events = new HashMap<>();

    @Test
    void shouldWriteEveryRecipientExactlyOnceWhenTheInstanceIsKilledMidBatchAndRestarted(@TempDir Path dir)
            throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(topics, 6);
            // Given one recipient in a thousand suppressed, and the whole batch (100 chunks) written
            Set<Integer> suppressed = IntStream.range(0, RECIPIENTS).filter(i -> i % 1000 == 7).boxed()
                    .collect(Collectors.toSet());
            try (var producer = BrokerClients.producer(kafka.bootstrapServers())) {
                for (int i : suppressed) {
                    Suppression s = new Suppression("acme", address(i), Suppression.Reason.BOUNCE, "evt", Instant.now());
                    producer.send(new ProducerRecord<>(topics.suppressions.name(), s.key(),
                            topics.suppressions.valueSerde().serializer().serialize(null, s)));
                }
                for (int first = 0; first < RECIPIENTS; first += CHUNK) {
                    send(producer, chunk(first));
                }
                producer.flush();
            }
            Path stateDir = Files.createDirectories(dir.resolve("state"));
            Path log = Path.of("target", "kill-and-restart-streams.log");

            try (KafkaConsumer<String, byte[]> consumer =
                         BrokerClients.readCommittedConsumer(kafka.bootstrapServers(), "crash-reader")) {
                consumer.subscribe(List.of(topics.sends.name(), topics.deliveryEvents.name()));

                // When the instance is killed once part of the batch is committed
                StreamsProcess first = StreamsProcess.start(kafka.bootstrapServers(), topics.prefix(), stateDir, log, JVM);
                await().atMost(PATIENCE).until(() -> poll(consumer) >= 10_000);
                first.kill();
                int committedAtKill = poll(consumer);

                // and a new instance starts on the same state directory
                try (StreamsProcess second = StreamsProcess.start(kafka.bootstrapServers(), topics.prefix(), stateDir,
                        log, JVM)) {
                    await().atMost(PATIENCE).until(() -> poll(consumer) >= RECIPIENTS);
                    // and nothing more turns up afterwards
                    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(30))
                            .until(() -> poll(consumer) == RECIPIENTS);
                }

                // Then the kill really was mid-batch
                assertThat(committedAtKill).isBetween(1, RECIPIENTS - 1);
            }
            // and every recipient is in exactly one committed record: a send, or its SUPPRESSED event
            Map<String, Integer> expectedSends = IntStream.range(0, RECIPIENTS).filter(i -> !suppressed.contains(i))
                    .boxed().collect(Collectors.toMap(i -> BATCH + "-" + i, i -> 1));
            Map<String, Integer> expectedEvents = suppressed.stream()
                    .collect(Collectors.toMap(i -> BATCH + "-" + i, i -> 1));
            assertThat(sends).isEqualTo(expectedSends);
            assertThat(events).isEqualTo(expectedEvents);
        }
    }

    private int poll(KafkaConsumer<String, byte[]> consumer) {
        consumer.poll(Duration.ofMillis(200)).forEach(r ->
                (r.topic().equals(topics.sends.name()) ? sends : events).merge(r.key(), 1, Integer::sum));
        return sends.values().stream().mapToInt(Integer::intValue).sum()
                + events.values().stream().mapToInt(Integer::intValue).sum();
    }

    private static String address(int index) {
        return "user" + index + "@example.com";
    }

    private static BatchCommand chunk(int first) {
        List<RecipientEntry> recipients = IntStream.range(first, first + CHUNK)
                .mapToObj(i -> new RecipientEntry(address(i), Map.of("n", i), Map.of())).toList();
        return BatchCommand.submitChunk(BATCH, "acme", first / CHUNK, RECIPIENTS / CHUNK, first, RECIPIENTS,
                TopologyFixture.MESSAGE, recipients, Instant.now());
    }

    private void send(KafkaProducer<String, byte[]> producer, BatchCommand command) {
        producer.send(new ProducerRecord<>(topics.batchCommands.name(), command.batchId(),
                topics.batchCommands.valueSerde().serializer().serialize(null, command)));
    }
}
