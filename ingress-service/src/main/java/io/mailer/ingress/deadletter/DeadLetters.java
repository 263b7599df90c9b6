package io.mailer.ingress.deadletter;

import io.mailer.ingress.auth.TenantScope;
import io.mailer.schemas.events.SendRequest;
import io.mailer.schemas.kafka.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.stereotype.Component;

/**
 * Dead letters of {@code sends-dlt}: listed per batch and tenant scope (each record's send request
 * carries its tenant) by reading the topic from its start to its current end (no consumer group:
 * listing moves no offset), replayed by re-publishing the original bytes to {@code sends}. Which
 * dead letters may be replayed (suppressions, replays already done) is {@link DeadLetterReplayer}'s.
 */
@Component
class DeadLetters implements DisposableBean {

    /** Headers the dispatcher writes on dead letters. */
    static final String REASON_HEADER = "mailer-dlt-reason";
    static final String BATCH_HEADER = "mailer-batch-id";

    public record DeadLetter(String sendId, String batchId, String tenantId, Integer recipientIndex, String email,
            String reason, int partition, long offset, Instant deadLetteredAt) {
    }

    private final Map<String, Object> consumerConfig;
    private final KafkaProducer<String, byte[]> producer;
    private final Topics topics;

    public DeadLetters(KafkaProperties kafka, Topics topics) {
        this.topics = topics;
        consumerConfig = new HashMap<>(kafka.buildConsumerProperties());
        consumerConfig.remove(ConsumerConfig.GROUP_ID_CONFIG);
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, Object> producerConfig = new HashMap<>(kafka.buildProducerProperties());
        producerConfig.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new ByteArraySerializer());
    }

    /** A dead letter with the record it was read from (its bytes are what a replay re-publishes). */
    record Found(DeadLetter letter, ConsumerRecord<String, byte[]> record) {
    }

    /** The batch's dead letters of the tenants in scope, oldest first. */
    public List<DeadLetter> list(String batchId, TenantScope scope) {
        List<DeadLetter> found = new ArrayList<>();
        scan(batchId, scope, (record, send) -> found.add(view(record, send)));
        return found;
    }

    /**
     * The latest dead letter of each send of the batch in scope (all, or those with the given send
     * ids): a send dead-lettered twice (replayed, failed again) goes back once, as its latest record.
     */
    Map<String, Found> latest(String batchId, TenantScope scope, Collection<String> sendIds) {
        Set<String> only = sendIds == null ? Set.of() : Set.copyOf(sendIds);
        Map<String, Found> latest = new LinkedHashMap<>();
        scan(batchId, scope, (record, send) -> {
            if (only.isEmpty() || only.contains(send.sendId())) {
                latest.put(send.sendId(), new Found(view(record, send), record));
            }
        });
        return latest;
    }

    /** Re-publishes the original bytes of these dead letters to {@code sends}, waiting for Kafka's acks. */
    void publish(Collection<Found> letters) throws Exception {
        List<Future<?>> writes = new ArrayList<>();
        for (Found f : letters) {
            writes.add(producer.send(new ProducerRecord<>(topics.sends.name(), f.record().key(), f.record().value())));
        }
        for (Future<?> w : writes) {
            w.get(2, TimeUnit.MINUTES);
        }
    }

    String topic() {
        return topics.sendsDlt.name();
    }

    private interface Visitor {
        void accept(ConsumerRecord<String, byte[]> record, SendRequest send);
    }

    private void scan(String batchId, TenantScope scope, Visitor visitor) {
        var values = topics.sendsDlt.valueSerde().deserializer();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            String topic = topics.sendsDlt.name();
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(10));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!reached(consumer, ends)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("sends-dlt not read to its end within 30 s");
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    SendRequest send = parse(values, topic, r);
                    if (send != null && batchId.equals(send.batchId()) && scope.includes(send.tenantId())) {
                        visitor.accept(r, send);
                    }
                }
            }
        }
    }

    private static SendRequest parse(org.apache.kafka.common.serialization.Deserializer<SendRequest> values,
            String topic, ConsumerRecord<String, byte[]> r) {
        if (r.value() == null) {
            return null;
        }
        try {
            return values.deserialize(topic, r.value());
        } catch (RuntimeException e) {
            // an unreadable record (poison): it belongs to no batch we can name
            return null;
        }
    }

    private static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private static DeadLetter view(ConsumerRecord<String, byte[]> r, SendRequest send) {
        return new DeadLetter(send.sendId(), send.batchId(), send.tenantId(), send.recipientIndex(), send.email(),
                header(r, REASON_HEADER), r.partition(), r.offset(), Instant.ofEpochMilli(r.timestamp()));
    }

    private static String header(ConsumerRecord<?, ?> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Override
    public void destroy() {
        producer.close(Duration.ofSeconds(5));
    }
}
