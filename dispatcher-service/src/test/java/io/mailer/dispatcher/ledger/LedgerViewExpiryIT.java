package io.mailer.dispatcher.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailer.devstack.EmbeddedKafka;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The view's bound over time, on a real broker: entries read on a takeover go after the read
 * horizon, entries of ours after the committed horizon once forgotten, and an entry of ours whose
 * send is not committed stays, however long.
 */
class LedgerViewExpiryIT {

    private static final Duration READ_HORIZON = Duration.ofSeconds(6);
    private static final Duration COMMITTED_HORIZON = Duration.ofSeconds(2);

    @Test
    void shouldDropEachEntryAfterItsHorizonAndKeepUncommittedOnes() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            // Given a ledger partition holding 40 entries written before this replica took it over
            String sends = "lv-expiry.sends";
            String ledger = "lv-expiry.sends-ledger";
            kafka.createTopics(List.of(new NewTopic(sends, 2, (short) 1), new NewTopic(ledger, 2, (short) 1)));
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                    Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                    new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 40; i++) {
                    producer.send(new ProducerRecord<>(ledger, "read-" + i, "ses-read-" + i)).get();
                }
            }
            Map<String, Object> config = new HashMap<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    kafka.bootstrapServers()));
            LedgerView view = new LedgerView(config, ledger, sends, READ_HORIZON, COMMITTED_HORIZON);
            view.start();
            try {
                // When the replica takes both partitions over (nothing committed: the whole ledger is read)
                Map<Integer, Long> nothingCommitted = new HashMap<>();
                nothingCommitted.put(0, null);
                nothingCommitted.put(1, null);
                view.assign(nothingCommitted).get(60, TimeUnit.SECONDS);
                assertThat(view.size()).isEqualTo(40);
                // and writes 10 entries of its own, of which 6 have their sends committed
                IntStream.range(0, 10).forEach(i -> view.putLocal("mine-" + i, "ses-mine-" + i));
                view.forget(IntStream.range(0, 6).mapToObj(i -> "mine-" + i).toList());
                assertThat(view.size()).isEqualTo(50);

                // Then the forgotten ones go after the committed horizon, while the read ones are still held
                await().atMost(Duration.ofSeconds(3).plus(COMMITTED_HORIZON)).pollInterval(Duration.ofMillis(100))
                        .until(() -> view.acceptedMessageId("mine-0").isEmpty());
                assertThat(view.acceptedMessageId("read-7")).contains("ses-read-7");
                // and the read ones after the read horizon; the 4 uncommitted ones of ours stay
                await().atMost(READ_HORIZON.plusSeconds(3)).pollInterval(Duration.ofMillis(100))
                        .until(() -> view.size() == 4);
                assertThat(IntStream.range(0, 10).mapToObj(i -> view.acceptedMessageId("mine-" + i).orElse("-")))
                        .containsExactly("-", "-", "-", "-", "-", "-", "ses-mine-6", "ses-mine-7", "ses-mine-8", "ses-mine-9");
                Thread.sleep(READ_HORIZON.toMillis());
                assertThat(view.size()).isEqualTo(4);
            } finally {
                view.stop();
            }
        }
    }
}
