package io.mailer.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailer.devstack.EmbeddedKafka;
import io.mailer.devstack.SesSandbox;
import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.EventType;
import io.mailer.schemas.events.Ids;
import io.mailer.schemas.events.SendRequest;
import io.mailer.schemas.kafka.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * SES_MAX_SEND_RATE pacing, then graceful shutdown (last: it stops the dispatcher) with calls in flight.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DispatcherPacingAndShutdownTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private static DispatcherStack stack;
    private static EmbeddedKafka kafka;
    private static SesSandbox ses;
    private static Topics topics;
    private static ConfigurableApplicationContext dispatcher;
    private static KafkaProducer<String, SendRequest> producer;
    private static TopicReader<DeliveryEvent> events;

    @BeforeAll
    static void startEverything() {
        stack = DispatcherStack.on("pace.").start();
        kafka = stack.kafka;
        ses = stack.ses;
        topics = stack.topics;
        dispatcher = stack.dispatcher(Map.of(
                "MAIL_FROM", "Default <default@example.com>",
                // one call per send, so "three sends in flight" is three calls
                "SES_SEND_MODE", "single",
                "SES_MAX_SEND_RATE", "10"));
        producer = stack.producer(topics.sends.valueSerde().serializer(), Map.of(ProducerConfig.ACKS_CONFIG, "all"));
        events = stack.deliveryEvents();
    }

    @AfterAll
    static void stopEverything() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void shouldNotExceedTheConfiguredSendRate() {
        // Given 10 per second, a warm SES client (the first call's connection setup would bunch the
        // early arrivals) and a full bucket: 11 may go at once, then one per 100 ms
        SendRequest warmUp = send("warm", 0);
        producer.send(new ProducerRecord<>(topics.sends.name(), warmUp.sendId(), warmUp));
        await().atMost(PATIENCE).until(() -> sentOf("warm").size() == 1);
        await().pollDelay(Duration.ofMillis(1100)).atMost(PATIENCE).until(() -> true);
        ses.reset();
        List<SendRequest> sends = IntStream.range(0, 31).mapToObj(i -> send("rate", i)).toList();

        // When 31 sends arrive at once
        sends.forEach(s -> producer.send(new ProducerRecord<>(topics.sends.name(), s.sendId(), s)));

        // Then all go out, and the last 20 are paced: SES sees them over about two seconds
        await().atMost(PATIENCE).until(() -> sentOf("rate").size() == 31);
        List<Instant> received = ses.sent().stream().map(SesSandbox.SentMessage::receivedAt)
                .sorted(Comparator.naturalOrder()).toList();
        assertThat(received).hasSize(31);
        assertThat(Duration.between(received.get(0), received.get(30))).isGreaterThan(Duration.ofMillis(1700));
    }

    @Test
    @Order(2)
    void shouldFinishInFlightCallsAndCommitWhenStopped() throws Exception {
        // Given SES answers slowly and three sends are in flight
        ses.reset().latency(Duration.ofSeconds(3));
        List<SendRequest> sends = IntStream.range(0, 3).mapToObj(i -> send("stop", i)).toList();
        // one partition: the three arrive in one fetch, so they are in flight together
        sends.forEach(s -> producer.send(new ProducerRecord<>(topics.sends.name(), 0, s.sendId(), s)));
        producer.flush();
        MeterRegistry meters = dispatcher.getBean(MeterRegistry.class);
        await().atMost(PATIENCE).until(() -> meters.get("mailer.dispatcher.in.flight").gauge().value() == 3.0);

        // When the service is stopped
        dispatcher.close();

        // Then the calls completed, their outcomes were written, and every send record is committed
        assertThat(sentOf("stop")).extracting(DeliveryEvent::sendId)
                .containsExactlyInAnyOrderElementsOf(sends.stream().map(SendRequest::sendId).toList());
        try (Admin admin = kafka.admin()) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin
                    .listConsumerGroupOffsets("pace.dispatcher").partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
            committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
            long end = admin.listOffsets(latest).all().get().values().stream().mapToLong(o -> o.offset()).sum();
            long done = committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
            assertThat(done).isEqualTo(end).isEqualTo(35);
        }
    }

    private static List<DeliveryEvent> sentOf(String batchId) {
        return events.values().stream()
                .filter(e -> batchId.equals(e.batchId()) && e.type() == EventType.SENT).toList();
    }

    private static SendRequest send(String batchId, int index) {
        return new SendRequest(Ids.sendId(batchId, index), batchId, "acme", index, "r" + index + "@example.com",
                Map.of(), Map.of(), new MessageContent(null, null, "s", null, "t", Map.of(), Map.of(), null, false),
                Instant.parse("2026-11-27T10:00:00Z"));
    }
}
