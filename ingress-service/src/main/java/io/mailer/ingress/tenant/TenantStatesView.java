package io.mailer.ingress.tenant;

import io.mailer.platform.kafka.ConsumerLoop;
import io.mailer.schemas.kafka.Topics;
import io.mailer.schemas.reputation.ReputationState;
import io.mailer.schemas.reputation.TenantState;
import io.mailer.schemas.reputation.WindowCounts;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The reputation guard's tenant states (compacted {@code tenant-states}), read whole and followed by
 * one thread (no group: every replica holds every tenant — one small record per tenant). It serves
 * {@code /admin/tenants}, the submit-time check of PAUSED tenants, and the per-tenant gauges:
 * {@code mailer_tenant_bounce_rate{tenant}}, {@code mailer_tenant_complaint_rate{tenant}},
 * {@code mailer_tenant_state{tenant}} (0 ACTIVE, 1 THROTTLED, 2 PAUSED),
 * {@code mailer_tenant_window_sends{tenant}}, and {@code mailer_account_bounce_rate} /
 * {@code mailer_account_complaint_rate} (sums of the tenants' windows). Every ingress replica
 * reports the same values: aggregate with {@code max by (tenant)}. A record that cannot be read is
 * skipped and counted ({@code mailer_tenant_states_unreadable_total}). Bound: one entry and four
 * series per tenant that ever sent.
 */
@Component
public class TenantStatesView implements SmartLifecycle {

    private final Map<String, TenantState> states = new ConcurrentHashMap<>();
    private final Map<String, Object> config;
    private final String topic;
    private final Topics topics;
    private final MeterRegistry registry;
    private final ConsumerLoop loop;
    private volatile boolean running;
    private volatile boolean initialized;

    TenantStatesView(KafkaProperties kafka, Topics topics, MeterRegistry registry) {
        this.config = new HashMap<>(kafka.buildConsumerProperties());
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        this.topic = topics.tenantStates.name();
        this.topics = topics;
        this.registry = registry;
        this.loop = new ConsumerLoop("view-" + topic, this::follow);
        Gauge.builder("mailer.account.bounce.rate", this, v -> v.account().bounceRate())
                .description("Hard bounces / sends over the sum of the tenants' windows").register(registry);
        Gauge.builder("mailer.account.complaint.rate", this, v -> v.account().complaintRate())
                .description("Complaints / deliveries over the sum of the tenants' windows").register(registry);
    }

    public Optional<TenantState> get(String tenantId) {
        return Optional.ofNullable(states.get(tenantId));
    }

    public List<TenantState> all() {
        return List.copyOf(states.values());
    }

    /** Whether every state written before this replica started has been read. */
    public boolean isInitialized() {
        return initialized;
    }

    /** The whole account: the tenants' windows added up. */
    public WindowCounts account() {
        long sends = 0;
        long bounces = 0;
        long deliveries = 0;
        long complaints = 0;
        for (TenantState s : states.values()) {
            if (s.window() != null) {
                sends += s.window().sends();
                bounces += s.window().hardBounces();
                deliveries += s.window().deliveries();
                complaints += s.window().complaints();
            }
        }
        return new WindowCounts(sends, bounces, deliveries, complaints, null);
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        loop.start();
    }

    @Override
    public synchronized void stop() {
        running = false;
        loop.close(Duration.ofSeconds(5));
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Reads from the beginning, also after a failure: the states are whole again once it reached the end. */
    private void follow(ConsumerLoop l) {
        // a failure is the loop's to log and retry with back-off; a wakeup while stopping ends it quietly
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            l.use(c);
            List<TopicPartition> partitions = c.partitionsFor(topic, Duration.ofSeconds(60)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = c.endOffsets(partitions);
            l.reading();
            while (l.running()) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(100))) {
                    apply(r);
                }
                if (!initialized && ends.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue())) {
                    initialized = true;
                }
            }
        }
    }

    private void apply(ConsumerRecord<String, byte[]> r) {
        if (r.key() == null) {
            return;
        }
        if (r.value() == null) {
            states.remove(r.key());
            return;
        }
        TenantState state;
        try {
            state = topics.tenantStates.valueSerde().deserializer().deserialize(topic, r.value());
        } catch (RuntimeException e) {
            registry.counter("mailer.tenant.states.unreadable").increment();
            return;
        }
        if (states.put(r.key(), state) == null) {
            register(r.key());
        }
    }

    private void register(String tenant) {
        Gauge.builder("mailer.tenant.bounce.rate", states, m -> rate(m.get(tenant), true)).tag("tenant", tenant)
                .description("The tenant's hard bounces / sends over its window").register(registry);
        Gauge.builder("mailer.tenant.complaint.rate", states, m -> rate(m.get(tenant), false)).tag("tenant", tenant)
                .description("The tenant's complaints / deliveries over its window").register(registry);
        Gauge.builder("mailer.tenant.state", states, m -> stateCode(m.get(tenant))).tag("tenant", tenant)
                .description("0 ACTIVE, 1 THROTTLED, 2 PAUSED").register(registry);
        Gauge.builder("mailer.tenant.window.sends", states,
                        m -> m.get(tenant) == null || m.get(tenant).window() == null ? 0 : m.get(tenant).window().sends())
                .tag("tenant", tenant).description("Sends in the tenant's window").register(registry);
    }

    private static double rate(TenantState s, boolean bounce) {
        return s == null ? 0 : bounce ? s.bounceRate() : s.complaintRate();
    }

    private static double stateCode(TenantState s) {
        if (s == null || s.state() == null) {
            return 0;
        }
        return s.state() == ReputationState.PAUSED ? 2 : s.state() == ReputationState.THROTTLED ? 1 : 0;
    }
}
