package io.mailer.dispatcher.tenant;

import io.mailer.schemas.kafka.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import tools.jackson.core.type.TypeReference;

/**
 * Releases held sends to {@code sends} — exactly once, in the order they were held, without one
 * paused tenant holding up another tenant's release.
 *
 * <p>{@code sends-held} is keyed by tenant, so a partition mixes tenants. The releaser (group
 * {@code <prefix>dispatcher-held}; one thread per replica) reads each of its partitions in order and
 * keeps, per partition, a <em>checkpoint</em>: the position read up to, and for every tenant with
 * held sends there, the offset of its first send not yet released ({@code pending}). A record of a
 * tenant that is PAUSED, or that still has earlier held sends, joins {@code pending}; any other
 * record is forwarded at once (a tenant that was never paused, or whose pause the dispatcher saw
 * later than this releaser: it goes round once more). When a pending tenant is no longer PAUSED,
 * its range is scanned from its first unreleased offset to the position, forwarding only its sends.
 *
 * <p>Exactly once: every loop is one Kafka transaction holding the forwarded sends and the
 * checkpoint, which is the group's committed offset (= position) with {@code pending} as its
 * metadata. After a crash, the next owner resumes from the committed checkpoint: nothing forwarded
 * twice, nothing skipped. The checkpoint's metadata must fit the broker's
 * {@code offset.metadata.max.bytes} (4096 by default): a partition whose pending map is full stops
 * taking new tenants (its newer held sends wait in Kafka, counted in
 * {@code mailer_dispatcher_held_partitions_full}) until a tenant there is released.
 *
 * <p>Bound: pending entries ≤ tenants paused with sends in an owned partition (≈ 60 per partition
 * at most, by the metadata limit); a release scans at most {@link #SCAN_BUDGET} records per loop.
 */
public final class HoldReleaser implements SmartLifecycle, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HoldReleaser.class);
    static final int SCAN_BUDGET = 5_000;
    static final int MAX_METADATA_CHARS = 3_500;

    private final Map<String, Object> consumerConfig;
    private final Map<String, Object> producerConfig;
    private final String heldTopic;
    private final String sendsTopic;
    private final String deadLetterTopic;
    private final Predicate<String> paused;
    private final BooleanSupplier ready;
    private final Map<TopicPartition, Checkpoint> checkpoints = new ConcurrentHashMap<>();
    private final AtomicLong released = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final Set<TopicPartition> full = ConcurrentHashMap.newKeySet();
    private volatile boolean running;
    private volatile Thread thread;
    private volatile KafkaConsumer<String, byte[]> consumer;

    /** Position read up to and the first unreleased offset of every tenant with held sends. */
    static final class Checkpoint {
        long position;
        final LinkedHashMap<String, Long> pending;

        Checkpoint(long position, Map<String, Long> pending) {
            this.position = position;
            this.pending = new LinkedHashMap<>(pending);
        }
    }

    public HoldReleaser(Map<String, Object> consumerConfig, Map<String, Object> producerConfig, String groupId,
            String heldTopic, String sendsTopic, String deadLetterTopic, Predicate<String> paused, BooleanSupplier ready) {
        this.consumerConfig = new HashMap<>(consumerConfig);
        this.consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        this.consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        this.consumerConfig.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
        this.producerConfig = new HashMap<>(producerConfig);
        this.producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        this.producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        this.producerConfig.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, groupId + "-" + UUID.randomUUID());
        // transactions v2: the next transaction's first record waits for the last one's markers; retry soon
        this.producerConfig.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 10);
        this.heldTopic = heldTopic;
        this.sendsTopic = sendsTopic;
        this.deadLetterTopic = deadLetterTopic;
        this.paused = paused;
        this.ready = ready;
    }

    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        thread = new Thread(this::runUntilStopped, "dispatcher-hold-releaser");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public synchronized void close() {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(Duration.ofSeconds(15).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void stop() {
        close();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    public long released() {
        return released.get();
    }

    public long failures() {
        return failures.get();
    }

    /** Tenants with held sends not yet released, over this replica's partitions. */
    public int pendingTenants() {
        return checkpoints.values().stream().mapToInt(c -> c.pending.size()).sum();
    }

    public int fullPartitions() {
        return full.size();
    }

    private void runUntilStopped() {
        long backoff = 1_000;
        while (running) {
            try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(consumerConfig, new StringDeserializer(),
                    new ByteArrayDeserializer());
                    KafkaConsumer<String, byte[]> scanner = new KafkaConsumer<>(scannerConfig(), new StringDeserializer(),
                            new ByteArrayDeserializer());
                    KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerConfig, new StringSerializer(),
                            new ByteArraySerializer())) {
                consumer = c;
                producer.initTransactions();
                c.subscribe(List.of(heldTopic), new Checkpoints(c));
                while (running) {
                    loop(c, scanner, producer);
                    backoff = 1_000;
                }
            } catch (org.apache.kafka.common.errors.WakeupException e) {
                if (running) {
                    failures.incrementAndGet();
                }
            } catch (RuntimeException e) {
                // start again from the committed checkpoints: nothing of the aborted transaction counts
                failures.incrementAndGet();
                log.warn("hold releaser failed; restarting from the committed checkpoints in {} ms: {}", backoff, e.toString());
                sleep(backoff);
                backoff = Math.min(backoff * 2, 30_000);
            } finally {
                consumer = null;
                checkpoints.clear();
                full.clear();
            }
        }
    }

    private void loop(KafkaConsumer<String, byte[]> c, KafkaConsumer<String, byte[]> scanner,
            KafkaProducer<String, byte[]> producer) {
        if (!ready.getAsBoolean()) {
            // who is paused is not known yet: release nothing
            sleep(200);
            return;
        }
        ConsumerRecords<String, byte[]> records = c.poll(Duration.ofMillis(200));
        if (records.isEmpty() && !anyReleasable()) {
            return; // nothing read, nothing to release: no empty transaction
        }
        producer.beginTransaction();
        try {
            long forwarded = 0;
            for (TopicPartition tp : records.partitions()) {
                Checkpoint cp = checkpoints.get(tp);
                if (cp == null) {
                    continue;
                }
                for (ConsumerRecord<String, byte[]> r : records.records(tp)) {
                    String tenant = r.key();
                    if (tenant != null && (cp.pending.containsKey(tenant) || paused.test(tenant))) {
                        if (!cp.pending.containsKey(tenant) && metadata(cp, tenant).length() > MAX_METADATA_CHARS) {
                            // no room in the checkpoint for one more tenant: stop here until one is released
                            full.add(tp);
                            c.seek(tp, r.offset());
                            c.pause(List.of(tp));
                            break;
                        }
                        cp.pending.putIfAbsent(tenant, r.offset());
                    } else {
                        forward(producer, r);
                        forwarded++;
                    }
                    cp.position = r.offset() + 1;
                }
            }
            for (Map.Entry<TopicPartition, Checkpoint> e : checkpoints.entrySet()) {
                forwarded += release(scanner, producer, e.getKey(), e.getValue());
                if (full.contains(e.getKey()) && metadata(e.getValue(), "x".repeat(64)).length() <= MAX_METADATA_CHARS) {
                    full.remove(e.getKey());
                    c.resume(List.of(e.getKey()));
                }
            }
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            checkpoints.forEach((tp, cp) -> offsets.put(tp, new OffsetAndMetadata(cp.position, metadata(cp, null))));
            if (!offsets.isEmpty()) {
                producer.sendOffsetsToTransaction(offsets, c.groupMetadata());
            }
            producer.commitTransaction();
            released.addAndGet(forwarded);
        } catch (RuntimeException e) {
            try {
                producer.abortTransaction();
            } catch (RuntimeException ignored) {
                // the producer is closed with the loop
            }
            throw e;
        }
    }

    private boolean anyReleasable() {
        for (Checkpoint cp : checkpoints.values()) {
            for (String tenant : cp.pending.keySet()) {
                if (!paused.test(tenant)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Releases the pending tenants of one partition that are no longer PAUSED; returns the sends forwarded. */
    private long release(KafkaConsumer<String, byte[]> scanner, KafkaProducer<String, byte[]> producer, TopicPartition tp,
            Checkpoint cp) {
        long forwarded = 0;
        int budget = SCAN_BUDGET;
        for (String tenant : new ArrayList<>(cp.pending.keySet())) {
            if (paused.test(tenant) || budget <= 0) {
                continue;
            }
            long next = cp.pending.get(tenant);
            scanner.assign(List.of(tp));
            scanner.seek(tp, next);
            while (next < cp.position && budget > 0) {
                List<ConsumerRecord<String, byte[]>> batch = scanner.poll(Duration.ofMillis(500)).records(tp);
                boolean stopped = false;
                for (ConsumerRecord<String, byte[]> r : batch) {
                    if (r.offset() >= cp.position || budget <= 0) {
                        stopped = true;
                        break;
                    }
                    budget--;
                    if (tenant.equals(r.key())) {
                        forward(producer, r);
                        forwarded++;
                    }
                    next = r.offset() + 1;
                }
                if (!stopped) {
                    // transaction markers and aborted records are skipped by read_committed: the position tells
                    long position = Math.min(scanner.position(tp), cp.position);
                    if (batch.isEmpty() && position <= next) {
                        break; // nothing readable now; the next loop goes on from here
                    }
                    next = Math.max(next, position);
                }
                if (stopped && budget > 0) {
                    next = Math.max(next, Math.min(scanner.position(tp), cp.position));
                }
            }
            if (next >= cp.position) {
                cp.pending.remove(tenant);
            } else {
                cp.pending.put(tenant, next);
            }
        }
        return forwarded;
    }

    private void forward(KafkaProducer<String, byte[]> producer, ConsumerRecord<String, byte[]> r) {
        Header id = r.headers().lastHeader(HeldSends.SEND_ID_HEADER);
        RecordHeaders headers = new RecordHeaders();
        for (Header h : r.headers()) {
            if (!h.key().equals(HeldSends.HELD_REASON_HEADER) && !h.key().equals(HeldSends.SEND_ID_HEADER)) {
                headers.add(h);
            }
        }
        if (id == null || r.value() == null) {
            headers.add("mailer-dlt-reason", "held-record-unreadable".getBytes(StandardCharsets.UTF_8));
            producer.send(new ProducerRecord<>(deadLetterTopic, null, r.key(), r.value(), headers));
            return;
        }
        producer.send(new ProducerRecord<>(sendsTopic, null, new String(id.value(), StandardCharsets.UTF_8), r.value(), headers));
    }

    private static String metadata(Checkpoint cp, String extraTenant) {
        Map<String, Long> pending = new LinkedHashMap<>(cp.pending);
        if (extraTenant != null) {
            pending.put(extraTenant, Long.MAX_VALUE);
        }
        return Json.MAPPER.writeValueAsString(pending);
    }

    private Map<String, Object> scannerConfig() {
        Map<String, Object> config = new HashMap<>(consumerConfig);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1_000);
        return config;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Loads a partition's checkpoint from the group's committed offset and metadata when it is assigned. */
    private final class Checkpoints implements ConsumerRebalanceListener {
        private final KafkaConsumer<String, byte[]> c;

        Checkpoints(KafkaConsumer<String, byte[]> c) {
            this.c = c;
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            partitions.forEach(checkpoints::remove);
            partitions.forEach(full::remove);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            Map<TopicPartition, OffsetAndMetadata> committed = c.committed(Set.copyOf(partitions));
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata om = committed.get(tp);
                Map<String, Long> pending = om == null || om.metadata() == null || om.metadata().isBlank() ? Map.of()
                        : Json.MAPPER.readValue(om.metadata(), new TypeReference<LinkedHashMap<String, Long>>() { });
                checkpoints.put(tp, new Checkpoint(om == null ? c.position(tp) : om.offset(), pending));
            }
        }
    }
}
