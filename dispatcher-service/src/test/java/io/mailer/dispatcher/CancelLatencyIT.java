package io.mailer.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailer.devstack.EmbeddedKafka;
import io.mailer.devstack.SesSandbox;
import io.mailer.schemas.commands.BatchCancellation;
import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.EventType;
import io.mailer.schemas.events.Ids;
import io.mailer.schemas.events.SendRequest;
import io.mailer.schemas.kafka.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A cancel stops a batch's sends from reaching SES within one second of its acknowledgment (the
 * moment ingress answers 202), with two dispatcher replicas sharing the account rate and records
 * already fetched, prepared and queued for a rate turn. One replica runs {@code single}, the other
 * {@code bulk}: the batch's partitions are split between them, so both send modes are held to it.
 */
class CancelLatencyIT {

    private static final String PREFIX = "cancel.";
    private static final int RECIPIENTS = 10_000;
    private static final Duration ALLOWED = Duration.ofSeconds(1);

    private static DispatcherStack stack;
    private static EmbeddedKafka kafka;
    private static SesSandbox ses;
    private static Topics topics;
    private static ConfigurableApplicationContext single;
    private static ConfigurableApplicationContext bulk;
    private static TopicReader<DeliveryEvent> events;

    @BeforeAll
    static void startEverything() {
        stack = DispatcherStack.on(PREFIX).ses(SesSandbox.Config.defaults().maxSendRate(100_000)).start();
        kafka = stack.kafka;
        ses = stack.ses;
        topics = stack.topics;
        single = stack.dispatcher(settings("single"));
        bulk = stack.dispatcher(settings("bulk"));
        events = stack.deliveryEvents();
    }

    @AfterAll
    static void stopEverything() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void shouldMakeNoSesCallMoreThanOneSecondAfterTheCancelIsAcknowledged() throws Exception {
        // Given a 10,000-recipient batch being sent at 500/s by two replicas
        String batch = "big";
        MessageContent message = new MessageContent("News <news@example.com>", null, "Hi {{name}}",
                "<p>Hi {{name}}</p>", null, Map.of(), Map.of(), null, false);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 20), new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < RECIPIENTS; i++) {
                SendRequest send = new SendRequest(Ids.sendId(batch, i), batch, "acme", i, "r" + i + "@example.com",
                        Map.of("name", "R" + i), Map.of(), message, Instant.parse("2026-12-01T10:00:00Z"));
                producer.send(new ProducerRecord<>(topics.sends.name(), send.sendId(),
                        topics.sends.valueSerde().serializer().serialize(topics.sends.name(), send)));
            }
            producer.flush();
        }
        // both replicas own some of the batch's partitions and are sending (the second may join the group late)
        await().atMost(Duration.ofSeconds(60)).until(() -> ses.sent().size() >= 1_500
                && count(single, "sent") > 0 && count(bulk, "sent") > 0);

        // When the batch is cancelled (what ingress writes before answering 202), acknowledged at `answered`
        Instant answered;
        try (var cancellations = new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), topics.batchCancellations.valueSerde().serializer())) {
            cancellations.send(new ProducerRecord<>(topics.batchCancellations.name(), batch,
                    new BatchCancellation(batch, "acme", Instant.now()))).get();
            answered = Instant.now();
        }
        int sentAtCancel = ses.sent().size();

        // Then every recipient ends SENT or CANCELLED, and SES got nothing more than a second later
        await().atMost(Duration.ofSeconds(120)).until(() -> DeliveryEvents.outcomesOf(events, batch).size() >= RECIPIENTS);
        List<DeliveryEvent> outcomes = DeliveryEvents.outcomesOf(events, batch);
        Map<EventType, Long> byType = outcomes.stream().collect(Collectors.groupingBy(DeliveryEvent::type,
                Collectors.counting()));
        List<Instant> late = ses.sent().stream().map(SesSandbox.SentMessage::receivedAt)
                .filter(at -> at.isAfter(answered.plus(ALLOWED))).toList();
        System.out.printf("cancel latency: %d sent at the cancel, %d sent in all, %d cancelled, %d SES calls more than %s after;"
                + " single %.0f sent %.0f cancelled, bulk %.0f sent %.0f cancelled%n",
                sentAtCancel, ses.sent().size(), byType.getOrDefault(EventType.CANCELLED, 0L), late.size(), ALLOWED,
                count(single, "sent"), count(single, "cancelled"), count(bulk, "sent"), count(bulk, "cancelled"));
        assertThat(late).isEmpty();
        assertThat(byType.keySet()).containsOnly(EventType.SENT, EventType.CANCELLED);
        assertThat(byType.get(EventType.CANCELLED)).isGreaterThan(RECIPIENTS / 2);
        assertThat(byType.get(EventType.SENT)).isEqualTo(ses.sent().size());
        assertThat(outcomes.stream().collect(Collectors.toMap(DeliveryEvent::sendId, Function.identity(), (a, b) -> a)))
                .hasSize(RECIPIENTS);
        // both replicas had a share of the batch, so both modes met the cancel
        assertThat(List.of(single, bulk)).allSatisfy(replica -> {
            assertThat(count(replica, "sent")).isPositive();
            assertThat(count(replica, "cancelled")).isPositive();
        });
    }

    private static double count(ConfigurableApplicationContext replica, String outcome) {
        var counter = replica.getBean(MeterRegistry.class).find("emails.sent").tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    private static Map<String, String> settings(String mode) {
        return Map.of("SES_MAX_SEND_RATE", "500", "SES_SEND_MODE", mode);
    }
}
