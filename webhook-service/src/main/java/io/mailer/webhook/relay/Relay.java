package io.mailer.webhook.relay;

import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.kafka.Topic;
import io.mailer.schemas.kafka.Topics;
import io.mailer.schemas.reputation.TenantEvent;
import io.mailer.schemas.webhooks.WebhookCommand;
import io.mailer.schemas.webhooks.WebhookDelivery;
import io.mailer.schemas.webhooks.WebhookEndpoint;
import io.mailer.schemas.webhooks.WebhookMessage;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's consumer loop: one consumer (group {@code <prefix>webhook-relay}) on
 * {@code delivery-events}, the {@code webhook-retry-*} tiers and {@code webhook-commands}.
 *
 * <pre>
 * delivery-events ─┐ per event: the tenant's enabled endpoints that want its type
 * webhook-retry-* ─┼─▶ EndpointQueue (one per endpoint, one POST in flight) ─▶ HTTP POST, signed
 * webhook-commands ┘    │ failure / overflow                                   │ every attempt
 *   (test, replay)      ▼                                                      ▼
 *               webhook-retry-&lt;tier&gt; (key send id, due header)          webhook-deliveries
 * </pre>
 *
 * The range assignor gives one replica partition p of every topic: a send id's events and its
 * parked messages (same key, same partition count) are handled by the same replica, which keeps
 * them in order. A tier partition whose next record is not due is paused until it is — records of
 * a tier are in due order, so nothing behind it is due either. {@code delivery-events} is never
 * paused for one endpoint; only when {@code maxInMemory} messages are held in all does reading stop.
 */
public final class Relay implements Outbox, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Relay.class);
    public static final String DUE_HEADER = "mailer-webhook-due";

    private final Topics topics;
    private final Map<String, Object> consumerConfig;
    private final KafkaProducer<String, Object> producer;
    private final EndpointDirectory directory;
    private final HttpSender sender;
    private final EndpointQueue.Settings settings;
    private final int maxInMemory;
    private final Clock clock;
    private final RelayMetrics metrics;
    private final AtomicInteger inMemory;
    private final OffsetTracker tracker = new OffsetTracker();
    private final Map<String, EndpointQueue> queues = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Long> resumeAt = new HashMap<>();
    private final Set<String> tierNames = new HashSet<>();
    private final Map<String, Integer> tierIndex = new HashMap<>();
    private final Map<String, Integer> tierPartitions = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicInteger inFlightPosts = new AtomicInteger();
    private final java.util.concurrent.CountDownLatch joined = new java.util.concurrent.CountDownLatch(1);
    private volatile boolean running = true;
    private volatile boolean alive = true;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private boolean eventsPaused;
    private Thread thread;

    public Relay(Topics topics, Map<String, Object> consumerConfig, KafkaProducer<String, Object> producer,
            EndpointDirectory directory, HttpSender sender, EndpointQueue.Settings settings, int maxInMemory, Clock clock,
            RelayMetrics metrics, AtomicInteger inMemory) {
        this.topics = topics;
        this.consumerConfig = consumerConfig;
        this.producer = producer;
        this.directory = directory;
        this.sender = sender;
        this.settings = settings;
        this.maxInMemory = maxInMemory;
        this.clock = clock;
        this.metrics = metrics;
        this.inMemory = inMemory;
        for (int i = 0; i < topics.webhookRetries.size(); i++) {
            tierNames.add(topics.webhookRetries.get(i).name());
            tierIndex.put(topics.webhookRetries.get(i).name(), i);
        }
    }

    public void start() {
        thread = new Thread(this::run, "webhook-relay");
        thread.start();
    }

    public boolean alive() {
        return alive;
    }

    /**
     * Waits until the consumer has joined its group and fixed its start positions: from then on no
     * event written is missed, also on a first install (where unread partitions start at their end).
     */
    public boolean awaitJoined(Duration timeout) throws InterruptedException {
        return joined.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private void run() {
        Properties props = new Properties();
        props.putAll(consumerConfig);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, topics.prefix() + "webhook-relay");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, RangeAssignor.class.getName());
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        List<String> subscribed = new ArrayList<>();
        subscribed.add(topics.deliveryEvents.name());
        topics.webhookRetries.forEach(t -> subscribed.add(t.name()));
        subscribed.add(topics.webhookCommands.name());
        subscribed.add(topics.tenantEvents.name());
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer = c;
            c.subscribe(subscribed, new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    commit(c, partitions, true);
                    partitions.forEach(tp -> {
                        tracker.forget(tp);
                        resumeAt.remove(tp);
                    });
                    // messages parked in these tier partitions now come back to their new owner
                    Set<Integer> lost = new HashSet<>();
                    partitions.stream().filter(tp -> tierNames.contains(tp.topic())).forEach(tp -> lost.add(tp.partition()));
                    if (!lost.isEmpty()) {
                        queues.values().forEach(q -> q.forget(lost));
                    }
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    startNewEventPartitionsAtTheEnd(c, partitions);
                    restoreParked(c, partitions);
                    if (eventsPaused) {
                        c.pause(partitions.stream().filter(tp -> tp.topic().equals(topics.deliveryEvents.name())).toList());
                    }
                    joined.countDown();
                }
            });
            long lastCommit = 0;
            while (running) {
                resumeDue(c);
                backPressure(c);
                Set<TopicPartition> skip = new HashSet<>();
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(100))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (skip.contains(tp)) {
                        continue;
                    }
                    if (tierNames.contains(r.topic())) {
                        long due = due(r);
                        if (due > clock.millis()) {
                            c.seek(tp, r.offset());
                            c.pause(List.of(tp));
                            resumeAt.put(tp, due);
                            skip.add(tp);
                            continue;
                        }
                        onRetry(r, tp);
                    } else if (r.topic().equals(topics.deliveryEvents.name())) {
                        onEvent(r, tp);
                    } else if (r.topic().equals(topics.tenantEvents.name())) {
                        onTenantEvent(r, tp);
                    } else {
                        onCommand(r, tp);
                    }
                }
                if (clock.millis() - lastCommit >= 200) {
                    commit(c, c.assignment(), false);
                    lastCommit = clock.millis();
                }
            }
            commit(c, c.assignment(), true);
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            alive = false;
            log.error("Webhook relay stopped", e);
        }
    }

    /**
     * A {@code delivery-events} or {@code tenant-events} partition the relay never read starts at
     * its end (a first install does not send a month of history to endpoints); the position is
     * committed at once, so events written while every replica is down are still relayed after.
     * Tiers and commands start at the beginning.
     */
    private void startNewEventPartitionsAtTheEnd(KafkaConsumer<String, byte[]> c, Collection<TopicPartition> partitions) {
        Set<TopicPartition> events = new HashSet<>();
        partitions.stream().filter(tp -> tp.topic().equals(topics.deliveryEvents.name())
                || tp.topic().equals(topics.tenantEvents.name())).forEach(events::add);
        if (events.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> committed = c.committed(events, Duration.ofSeconds(30));
        Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
        for (TopicPartition tp : events) {
            if (committed.get(tp) == null) {
                c.seekToEnd(List.of(tp));
                start.put(tp, new OffsetAndMetadata(c.position(tp)));
            }
        }
        if (!start.isEmpty()) {
            c.commitSync(start, Duration.ofSeconds(30));
        }
    }

    /** Before any new event is read: the messages parked in the tier partitions just assigned. */
    private void restoreParked(KafkaConsumer<String, byte[]> c, Collection<TopicPartition> partitions) {
        Set<TopicPartition> tiers = new HashSet<>();
        partitions.stream().filter(tp -> tierNames.contains(tp.topic())).forEach(tiers::add);
        if (tiers.isEmpty()) {
            return;
        }
        Map<String, Topic<String, WebhookMessage>> byName = new HashMap<>();
        topics.webhookRetries.forEach(t -> byName.put(t.name(), t));
        ParkedMessages.read(consumerConfig, tierIndex, byName, tiers, c.committed(tiers, Duration.ofSeconds(30)),
                (m, partition, tier, due) -> queue(m.endpointId()).restore(m, partition, tier, due));
    }

    private void onEvent(ConsumerRecord<String, byte[]> r, TopicPartition tp) {
        Source source = new Source(tracker, tp, r.offset());
        try {
            EventFields event = r.value() == null ? null : EventFields.read(r.value());
            if (event == null) {
                metrics.skipped();
                log.warn("Skipping a delivery event without eventId/type/tenantId at {}-{}@{}", r.topic(), r.partition(), r.offset());
                return;
            }
            List<WebhookEndpoint> endpoints = directory.forTenant(event.tenantId());
            if (endpoints.isEmpty()) {
                return;
            }
            String payload = null;
            Instant now = clock.instant();
            for (WebhookEndpoint e : endpoints) {
                if (!e.wants(event.type())) {
                    continue;
                }
                if (payload == null) {
                    payload = Payloads.body(event.webhookType(), event.occurredAt() == null ? now.toString() : event.occurredAt(),
                            new String(r.value(), StandardCharsets.UTF_8).trim());
                }
                WebhookMessage m = new WebhookMessage(Payloads.messageId(e.id(), event.eventId()), e.id(), e.tenantId(),
                        event.sendId(), event.webhookType(), payload, 0, nextSequence(), now, null);
                source.retain();
                queue(e.id()).offer(new Item(m, source, m.sequence()));
            }
        } catch (RuntimeException e) {
            metrics.skipped();
            log.warn("Skipping unreadable delivery event at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
        } finally {
            source.release();
        }
    }

    /**
     * A tenant's state change (reputation guard) to the tenant's endpoints that want
     * {@link WebhookEndpoint#TENANT_STATE_CHANGED}: body type {@code tenant.<new state>}, data the
     * {@code tenant-events} record as on the topic. Keyed (and so ordered and parked) by tenant.
     */
    private void onTenantEvent(ConsumerRecord<String, byte[]> r, TopicPartition tp) {
        Source source = new Source(tracker, tp, r.offset());
        try {
            TenantEvent event = r.value() == null ? null
                    : topics.tenantEvents.valueSerde().deserializer().deserialize(r.topic(), r.value());
            if (event == null || event.eventId() == null || event.tenantId() == null || event.to() == null) {
                metrics.skipped();
                log.warn("Skipping a tenant event without eventId/tenantId/to at {}-{}@{}", r.topic(), r.partition(), r.offset());
                return;
            }
            String type = Payloads.tenantType(event);
            Instant now = clock.instant();
            String payload = null;
            for (WebhookEndpoint e : directory.forTenant(event.tenantId())) {
                if (!e.wants(WebhookEndpoint.TENANT_STATE_CHANGED)) {
                    continue;
                }
                if (payload == null) {
                    payload = Payloads.body(type, (event.occurredAt() == null ? now : event.occurredAt()).toString(),
                            new String(r.value(), StandardCharsets.UTF_8).trim());
                }
                WebhookMessage m = new WebhookMessage(Payloads.messageId(e.id(), "tenant:" + event.eventId()), e.id(),
                        e.tenantId(), "tenant:" + event.tenantId(), type, payload, 0, nextSequence(), now, null);
                source.retain();
                queue(e.id()).offer(new Item(m, source, m.sequence()));
            }
        } catch (RuntimeException e) {
            metrics.skipped();
            log.warn("Skipping unreadable tenant event at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
        } finally {
            source.release();
        }
    }

    private void onRetry(ConsumerRecord<String, byte[]> r, TopicPartition tp) {
        Source source = new Source(tracker, tp, r.offset());
        try {
            Topic<String, WebhookMessage> tier = topics.webhookRetries.get(tierIndex.get(r.topic()));
            WebhookMessage m = tier.valueSerde().deserializer().deserialize(r.topic(), r.value());
            source.retain();
            queue(m.endpointId()).returned(new Item(m, source, m.sequence()));
        } catch (RuntimeException e) {
            metrics.skipped();
            log.warn("Skipping unreadable retry record at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
        } finally {
            source.release();
        }
    }

    private void onCommand(ConsumerRecord<String, byte[]> r, TopicPartition tp) {
        Source source = new Source(tracker, tp, r.offset());
        try {
            WebhookCommand command = topics.webhookCommands.valueSerde().deserializer().deserialize(r.topic(), r.value());
            WebhookEndpoint endpoint = directory.get(command.endpointId());
            if (endpoint == null || !endpoint.tenantId().equals(command.tenantId())) {
                log.warn("Webhook command {} for unknown endpoint {}", command.commandId(), command.endpointId());
                return;
            }
            if (command.type() == WebhookCommand.Type.TEST) {
                WebhookMessage m = new WebhookMessage("msg_test_" + command.commandId(), endpoint.id(), endpoint.tenantId(),
                        endpoint.id(), "webhook.test", Payloads.testBody(command), 0, nextSequence(), clock.instant(), null);
                source.retain();
                queue(endpoint.id()).offer(new Item(m, source, m.sequence()));
            } else {
                Replayer.start(topics, consumerConfig, endpoint, command.since(), this);
            }
        } catch (RuntimeException e) {
            metrics.skipped();
            log.warn("Skipping unreadable webhook command at {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
        } finally {
            source.release();
        }
    }

    /** A replayed event for one endpoint (from {@link Replayer}); nothing is committed for it. */
    void replay(WebhookEndpoint endpoint, DeliveryEvent event) {
        WebhookMessage m = new WebhookMessage(Payloads.messageId(endpoint.id(), event.eventId()), endpoint.id(),
                endpoint.tenantId(), event.sendId(), Payloads.eventType(event), Payloads.body(event), 0, nextSequence(),
                clock.instant(), null);
        queue(endpoint.id()).offer(new Item(m, Source.none(), m.sequence()));
    }

    private long nextSequence() {
        long micros = clock.millis() * 1000;
        return sequence.updateAndGet(prev -> Math.max(prev + 1, micros));
    }

    EndpointQueue queue(String endpointId) {
        return queues.computeIfAbsent(endpointId, id -> new EndpointQueue(id, directory, sender, this, settings, clock,
                metrics, inMemory, inFlightPosts));
    }

    private void resumeDue(KafkaConsumer<String, byte[]> c) {
        long now = clock.millis();
        List<TopicPartition> due = new ArrayList<>();
        resumeAt.entrySet().removeIf(e -> {
            if (e.getValue() <= now) {
                due.add(e.getKey());
                return true;
            }
            return false;
        });
        if (!due.isEmpty()) {
            c.resume(due);
        }
    }

    private void backPressure(KafkaConsumer<String, byte[]> c) {
        int held = inMemory.get();
        List<TopicPartition> events = c.assignment().stream()
                .filter(tp -> tp.topic().equals(topics.deliveryEvents.name())).toList();
        if (!eventsPaused && held >= maxInMemory) {
            eventsPaused = true;
            c.pause(events);
        } else if (eventsPaused && held < maxInMemory * 8 / 10) {
            eventsPaused = false;
            c.resume(events);
        }
    }

    private void commit(KafkaConsumer<String, byte[]> c, Collection<TopicPartition> partitions, boolean sync) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition tp : partitions) {
            long position = tracker.commitPosition(tp);
            if (position >= 0) {
                offsets.put(tp, new OffsetAndMetadata(position));
            }
        }
        if (offsets.isEmpty()) {
            return;
        }
        try {
            if (sync) {
                c.commitSync(offsets, Duration.ofSeconds(10));
            } else {
                c.commitAsync(offsets, (o, e) -> {
                    if (e != null) {
                        log.debug("Offset commit failed (the next one covers it): {}", e.toString());
                    }
                });
            }
        } catch (RuntimeException e) {
            log.warn("Offset commit failed: {}", e.toString());
        }
    }

    private static long due(ConsumerRecord<?, ?> r) {
        return ParkedMessages.due(r);
    }

    /** The default partitioner's choice for the message's key, made explicit so the queue knows it. */
    @Override
    public int tierPartition(WebhookMessage message, int tier) {
        String topic = topics.webhookRetries.get(tier).name();
        int count = tierPartitions.computeIfAbsent(topic, t -> producer.partitionsFor(t).size());
        return Utils.toPositive(Utils.murmur2(message.sendId().getBytes(StandardCharsets.UTF_8))) % count;
    }

    @Override
    public CompletableFuture<?> park(WebhookMessage message, int tier) {
        RecordHeaders headers = new RecordHeaders();
        long due = clock.millis() + settings.delays().get(tier).toMillis();
        headers.add(DUE_HEADER, Long.toString(due).getBytes(StandardCharsets.UTF_8));
        CompletableFuture<Object> done = new CompletableFuture<>();
        producer.send(new ProducerRecord<>(topics.webhookRetries.get(tier).name(), tierPartition(message, tier), null,
                message.sendId(), message, headers),
                (meta, error) -> {
                    if (error == null) {
                        done.complete(meta);
                    } else {
                        done.completeExceptionally(error);
                    }
                });
        return done;
    }

    @Override
    public void record(WebhookDelivery delivery) {
        producer.send(new ProducerRecord<>(topics.webhookDeliveries.name(), delivery.endpointId(), delivery), (m, e) -> {
            if (e != null) {
                log.warn("Could not write the delivery record of {}: {}", delivery.messageId(), e.toString());
            }
        });
    }

    @Override
    public void disable(WebhookEndpoint endpoint, String reason) {
        WebhookEndpoint current = directory.get(endpoint.id());
        if (current == null || !current.enabled()) {
            return;
        }
        Instant now = clock.instant();
        WebhookEndpoint disabled = current.disabled(reason, now);
        directory.apply(disabled);
        producer.send(new ProducerRecord<>(topics.webhookEndpoints.name(), disabled.id(), disabled));
        record(new WebhookDelivery(endpoint.id() + ":disabled:" + now.toEpochMilli(), endpoint.id(), endpoint.tenantId(),
                "webhook.endpoint.disabled", WebhookDelivery.Status.ENDPOINT_DISABLED, 0, null, null, reason, now, now, null, 0));
    }

    public Map<String, Object> state(String endpointId) {
        EndpointQueue q = queues.get(endpointId);
        return q == null ? Map.of() : q.state();
    }

    @Override
    public void close() {
        running = false;
        if (thread != null) {
            try {
                thread.join(15_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive() && consumer != null) {
                consumer.wakeup();
            }
        }
        // let the requests in flight finish, so their outcome is recorded before the producer closes;
        // what is still queued was never committed and goes to the next owner of its partition
        long deadline = System.currentTimeMillis() + 15_000;
        while (inFlightPosts.get() > 0 && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
