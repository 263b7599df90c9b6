package io.mailer.feedback.projector;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * Sends records the projector cannot use to {@code <prefix>projector-dlt}, unchanged, with where
 * they came from and why, and counts them ({@code mailer_projector_dead_lettered_total{topic,reason}}).
 * Waits for the ack: the source offset is committed after this returns.
 */
public final class ProjectorDeadLetters {

    private static final Logger log = LoggerFactory.getLogger(ProjectorDeadLetters.class);
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaTemplate<String, byte[]> kafka;
    private final String dltTopic;
    private final MeterRegistry registry;

    public ProjectorDeadLetters(KafkaTemplate<String, byte[]> kafka, String dltTopic, MeterRegistry registry) {
        this.kafka = kafka;
        this.dltTopic = dltTopic;
        this.registry = registry;
    }

    public void send(ProjectorRecord.Poison poison) {
        ConsumerRecord<String, byte[]> source = poison.source();
        log.warn("Dead-lettering {}-{}@{}: {} ({})", source.topic(), source.partition(), source.offset(),
                poison.reason(), poison.detail());
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(dltTopic, source.key(), source.value());
        source.headers().forEach(h -> record.headers().add(h));
        header(record, "reason", poison.reason());
        header(record, "detail", poison.detail());
        header(record, "source-topic", source.topic());
        header(record, "source-partition", Integer.toString(source.partition()));
        header(record, "source-offset", Long.toString(source.offset()));
        try {
            kafka.send(record).get(ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while dead-lettering", e);
        } catch (Exception e) {
            // rethrown: the listener fails, the batch is retried, nothing is skipped silently
            throw new IllegalStateException("cannot dead-letter " + source.topic() + "@" + source.offset(), e);
        }
        Counter.builder("mailer.projector.dead.lettered").description("records sent to the projector DLT")
                .tag("topic", source.topic()).tag("reason", poison.reason()).register(registry).increment();
    }

    private static void header(ProducerRecord<String, byte[]> record, String name, String value) {
        record.headers().add(name, (value == null ? "" : value).getBytes(StandardCharsets.UTF_8));
    }
}
