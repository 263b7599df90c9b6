package io.mailer.dispatcher.kafka;

import io.mailer.dispatcher.send.DispatcherMetrics;
import io.mailer.dispatcher.send.SendOutcome;
import io.mailer.schemas.events.SendRequest;
import io.mailer.schemas.kafka.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * The retry tiers after the in-process attempts: {@code sends-retry-1s → -10s → -1m → -10m}, then
 * {@code sends-dlt}. A send handed over carries its next tier and its due time in headers;
 * {@link RetryTierListener} puts it back on {@code sends} when it is due, and the main listener
 * reads the tier header to know where a further failure goes.
 */
public final class RetryTiers {

    public static final String TIER_HEADER = "mailer-retry-tier";
    public static final String DUE_HEADER = "mailer-retry-due";
    public static final String REASON_HEADER = "mailer-retry-reason";
    /** Header on {@code sends-dlt} records: the batch, so dead letters can be listed per batch. */
    public static final String BATCH_HEADER = "mailer-batch-id";

    private final List<Topic<String, SendRequest>> tiers;
    private final List<Duration> delays;
    private final String deadLetterTopic;
    private final KafkaTemplate<String, Object> template;
    private final Clock clock;
    private final DispatcherMetrics metrics;

    public RetryTiers(List<Topic<String, SendRequest>> tiers, List<Duration> delays, String deadLetterTopic,
            KafkaTemplate<String, Object> template, Clock clock, DispatcherMetrics metrics) {
        if (tiers.size() != delays.size()) {
            throw new IllegalArgumentException(tiers.size() + " retry topics but " + delays.size() + " delays");
        }
        this.tiers = tiers;
        this.delays = delays;
        this.deadLetterTopic = deadLetterTopic;
        this.template = template;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** The tier a record of {@code sends} came back from (0 = first delivery). */
    public static int tierOf(ConsumerRecord<?, ?> record) {
        Header h = record.headers().lastHeader(TIER_HEADER);
        return h == null ? 0 : Integer.parseInt(new String(h.value(), StandardCharsets.UTF_8));
    }

    /** Whether a send of this tier that fails again is dead-lettered (there is no further tier). */
    public boolean isLastTier(int tier) {
        return tier >= tiers.size();
    }

    /** Publishes the send to its next tier, or to {@code sends-dlt} after the last. */
    public CompletableFuture<?> handOver(SendRequest send, int tier, SendOutcome.RetryLater outcome) {
        RecordHeaders headers = new RecordHeaders();
        String reason = "ses:retries-exhausted:" + outcome.code();
        headers.add(REASON_HEADER, bytes(reason));
        if (isLastTier(tier)) {
            headers.add(KafkaConfiguration.DLT_REASON_HEADER, bytes(reason));
            headers.add(BATCH_HEADER, bytes(send.batchId()));
            metrics.deadLetter("retries-exhausted");
            return template.send(new ProducerRecord<>(deadLetterTopic, null, send.sendId(), send, headers));
        }
        headers.add(TIER_HEADER, bytes(Integer.toString(tier + 1)));
        headers.add(DUE_HEADER, bytes(Long.toString(clock.millis() + delays.get(tier).toMillis())));
        return template.send(new ProducerRecord<>(tiers.get(tier).name(), null, send.sendId(), send, headers));
    }

    /**
     * Parks a THROTTLED tenant's send on the longest tier whose delay fits in {@code delay} (at least
     * the first): it comes back to {@code sends} with its tier header unchanged, so throttling never
     * uses up a retry. Each tier keeps its records in due order (one delay per tier).
     */
    public CompletableFuture<?> park(ConsumerRecord<String, SendRequest> record, Duration delay) {
        int tier = 0;
        for (int i = 0; i < delays.size(); i++) {
            if (delays.get(i).compareTo(delay) <= 0) {
                tier = i;
            }
        }
        RecordHeaders headers = new RecordHeaders();
        for (Header h : record.headers()) {
            if (h.key().equals(TIER_HEADER)) {
                headers.add(h);
            }
        }
        headers.add(DUE_HEADER, bytes(Long.toString(clock.millis() + delays.get(tier).toMillis())));
        headers.add(REASON_HEADER, bytes("tenant-throttled"));
        return template.send(new ProducerRecord<>(tiers.get(tier).name(), null, record.value().sendId(), record.value(), headers));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
