package io.mailer.dispatcher.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.BatchAcknowledgingMessageListener;
import org.springframework.kafka.support.Acknowledgment;

/**
 * Consumes one retry tier: records are in due order per partition (one tier = one delay), so it
 * forwards the due ones to {@code sends} (bytes and headers intact) and, at the first record not
 * yet due, commits what was forwarded and {@code nack}s the rest for the time left — the container
 * pauses instead of holding the thread, and no record is read twice into memory meanwhile.
 */
final class RetryTierListener implements BatchAcknowledgingMessageListener<String, byte[]> {

    private final String sendsTopic;
    private final KafkaTemplate<String, Object> template;
    private final Clock clock;

    RetryTierListener(String sendsTopic, KafkaTemplate<String, Object> template, Clock clock) {
        this.sendsTopic = sendsTopic;
        this.template = template;
        this.clock = clock;
    }

    @Override
    public void onMessage(List<ConsumerRecord<String, byte[]>> records, Acknowledgment ack) {
        List<CompletableFuture<?>> forwarded = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            ConsumerRecord<String, byte[]> r = records.get(i);
            long wait = dueMillis(r) - clock.millis();
            if (wait > 0) {
                await(forwarded);
                ack.nack(i, Duration.ofMillis(Math.min(wait, 60_000)));
                return;
            }
            forwarded.add(template.send(new ProducerRecord<>(sendsTopic, null, r.key(), r.value(), r.headers())));
        }
        await(forwarded);
        ack.acknowledge();
    }

    private static long dueMillis(ConsumerRecord<?, ?> r) {
        Header h = r.headers().lastHeader(RetryTiers.DUE_HEADER);
        return h == null ? 0 : Long.parseLong(new String(h.value(), StandardCharsets.UTF_8));
    }

    private static void await(List<CompletableFuture<?>> writes) {
        try {
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
        } catch (Exception e) {
            // the error handler retries the poll: forwarding twice is harmless (ledger, event ids)
            throw new IllegalStateException("retried sends not acknowledged by Kafka", e);
        }
    }
}
