package io.mailer.dispatcher.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailer.devstack.EmbeddedKafka;
import io.mailer.schemas.kafka.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The hold releaser on a real (embedded KRaft) broker, with one {@code sends-held} partition so that
 * every tenant shares it: a resumed tenant's held sends go back to {@code sends} in order while
 * another tenant of the same partition stays held; a releaser that stops and a new one that takes
 * over resume from the committed checkpoint — nothing released twice, nothing skipped.
 */
class HoldReleaserIT {

    static EmbeddedKafka kafka;
    static final Topics topics = new Topics("hold.");
    static final Set<String> paused = ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start();
        kafka.createTopics(topics, 1);
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    @Test
    void shouldReleaseEachResumedTenantInOrderOnceWithoutWaitingForAnotherAndSurviveATakeover() {
        // Given A and B paused, C never paused, their held sends interleaved in one partition
        paused.addAll(Set.of("A", "B"));
        park(0, 10, "A", "B", "C");
        HoldReleaser first = releaser();
        first.start();
        try {
            // Then C's sends go straight back, A's and B's stay
            await().atMost(Duration.ofSeconds(30)).until(() -> released("C").size() == 10);
            assertThat(released("C")).containsExactlyElementsOf(ids("C", 0, 10));
            sleep(1_000);
            assertThat(released("A")).isEmpty();
            assertThat(released("B")).isEmpty();

            // When B is resumed: all of B's, in order, while A (same partition, earlier offsets) stays held
            paused.remove("B");
            await().atMost(Duration.ofSeconds(30)).until(() -> released("B").size() == 10);
            assertThat(released("B")).containsExactlyElementsOf(ids("B", 0, 10));
            assertThat(released("A")).isEmpty();
            assertThat(first.pendingTenants()).isEqualTo(1);

            // and more sends are parked: B's (no longer paused) go on, A's join its held ones
            park(10, 15, "A", "B", "C");
            await().atMost(Duration.ofSeconds(30)).until(() -> released("B").size() == 15 && released("C").size() == 15);
        } finally {
            first.close();
        }

        // When another replica's releaser takes the partition over and A is resumed
        paused.remove("A");
        HoldReleaser second = releaser();
        second.start();
        try {
            // Then it starts from the committed checkpoint: A's 15, in order, and nothing again
            await().atMost(Duration.ofSeconds(30)).until(() -> released("A").size() >= 15);
            sleep(1_500);
            assertThat(released("A")).containsExactlyElementsOf(ids("A", 0, 15));
            assertThat(released("B")).containsExactlyElementsOf(ids("B", 0, 15));
            assertThat(released("C")).containsExactlyElementsOf(ids("C", 0, 15));
            assertThat(second.pendingTenants()).isZero();
            assertThat(first.released() + second.released()).isEqualTo(45);
        } finally {
            second.close();
        }
    }

    private static HoldReleaser releaser() {
        Map<String, Object> common = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        return new HoldReleaser(common, Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                "hold.dispatcher-held", topics.sendsHeld.name(), topics.sends.name(), topics.sendsDlt.name(),
                paused::contains, () -> true);
    }

    /** Parks sends from..to-1 of each tenant, interleaved (A0, B0, C0, A1, ...), as the dispatcher does. */
    private static void park(int from, int to, String... tenants) {
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers()), new StringSerializer(), new ByteArraySerializer())) {
            for (int i = from; i < to; i++) {
                for (String tenant : tenants) {
                    RecordHeaders headers = new RecordHeaders();
                    headers.add(HeldSends.SEND_ID_HEADER, (tenant + "-" + i).getBytes(StandardCharsets.UTF_8));
                    headers.add(HeldSends.HELD_REASON_HEADER, "tenant-paused".getBytes(StandardCharsets.UTF_8));
                    headers.add("mailer-retry-tier", "1".getBytes(StandardCharsets.UTF_8));
                    producer.send(new ProducerRecord<>(topics.sendsHeld.name(), null, tenant,
                            ("{\"sendId\":\"" + tenant + "-" + i + "\"}").getBytes(StandardCharsets.UTF_8), headers));
                }
            }
            producer.flush();
        }
    }

    /** The send ids of {@code tenant} on {@code sends}, in offset order (read_committed); headers checked on the way. */
    private static List<String> released(String tenant) {
        List<String> ids = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(), ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topics.sends.name(), 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            while (consumer.position(tp) < end) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (r.key().startsWith(tenant + "-")) {
                        // back with its send id as key, the retry tier kept, the hold's own headers gone
                        assertThat(r.headers().lastHeader("mailer-retry-tier")).isNotNull();
                        assertThat(r.headers().lastHeader(HeldSends.HELD_REASON_HEADER)).isNull();
                        ids.add(r.key());
                    }
                });
            }
        }
        return ids;
    }

    private static List<String> ids(String tenant, int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> tenant + "-" + i).toList();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
