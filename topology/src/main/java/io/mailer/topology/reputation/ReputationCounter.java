package io.mailer.topology.reputation;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * First stage, where the events are (keyed by send id, so every redelivery of an event id lands in
 * the same task): drops event ids seen within the dedupe horizon, counts the rest in the tenant's
 * <em>partial</em> window of this partition ({@code reputation-partials-store}), and every
 * {@link #FLUSH} forwards the partial windows that changed, keyed by tenant. So one record per
 * tenant and partition crosses the repartition topic per flush, not one per event: the guard's
 * cost follows the tenants, not the sends. Partials are stored (changelogged), so what was counted
 * and what was committed stay one — exactly once.
 */
public final class ReputationCounter implements Processor<String, ReputationInput, String, ReputationInput> {

    static final Duration FLUSH = Duration.ofMillis(200);
    /** Decoded partial windows kept per task: ≤ 97 buckets each, ≈ 5 KB of heap (≤ 1.3 MB a task). */
    static final int CACHED_TENANTS = 256;

    private final ReputationSettings settings;
    private final ReputationMetrics metrics;
    private ProcessorContext<String, ReputationInput> context;
    private KeyValueStore<String, GuardedTenant.Partial> partials;
    private WindowStore<String, Long> seen;
    /** Tenants of this task counted since the last flush: at most the tenants sending through this partition. */
    private final Set<String> dirty = new LinkedHashSet<>();
    /**
     * The partial windows last written, decoded, so that counting an event does not read and parse
     * the stored one again (that read was the counter's largest cost). The store stays the truth — it
     * is written for every event — and this copy is emptied whenever the task is (re)initialised or
     * closed, which is how Streams rolls a task's stores back. Bounded: the most recently counted
     * {@link #CACHED_TENANTS} tenants; an older one is read from the store again.
     */
    private final Map<String, ReputationWindow> windows = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ReputationWindow> eldest) {
            return size() > CACHED_TENANTS;
        }
    };

    public ReputationCounter(ReputationSettings settings, ReputationMetrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, ReputationInput> context) {
        this.context = context;
        windows.clear();
        metrics.init(context.metrics());
        this.partials = context.getStateStore(ReputationStores.PARTIALS);
        this.seen = context.getStateStore(ReputationStores.EVENTS_SEEN);
        context.schedule(FLUSH, PunctuationType.WALL_CLOCK_TIME, this::flush);
    }

    @Override
    public void process(Record<String, ReputationInput> record) {
        ReputationInput in = record.value();
        if (in == null || in.kind() == null) {
            return;
        }
        if (duplicate(in.eventId(), record.timestamp())) {
            metrics.duplicate();
            return;
        }
        ReputationWindow window = window(in.tenantId());
        window.add(in.kind(), in.atMillis(), settings);
        partials.put(in.tenantId(), new GuardedTenant.Partial(window.buckets()));
        dirty.add(in.tenantId());
    }

    @Override
    public void close() {
        windows.clear();
    }

    private ReputationWindow window(String tenant) {
        ReputationWindow window = windows.get(tenant);
        if (window == null) {
            GuardedTenant.Partial p = partials.get(tenant);
            window = new ReputationWindow(p == null ? List.of() : p.buckets());
            windows.put(tenant, window);
        }
        return window;
    }

    private void flush(long wallClock) {
        int partition = context.taskId().partition();
        for (String tenant : dirty) {
            GuardedTenant.Partial p = partials.get(tenant);
            if (p != null) {
                context.forward(new Record<>(tenant, ReputationInput.partial(tenant, partition, p.buckets(), wallClock), wallClock));
            }
        }
        dirty.clear();
    }

    /** Whether the event id was counted within the horizon; remembers it otherwise. */
    private boolean duplicate(String eventId, long at) {
        long from = at - settings.dedupeHorizon().toMillis();
        // the long overload: the Instant one formats its validation message (String.format) on every call
        try (WindowStoreIterator<Long> it = seen.fetch(eventId, Math.max(0, from), at + settings.dedupeHorizon().toMillis())) {
            if (it.hasNext()) {
                return true;
            }
        }
        seen.put(eventId, at, at);
        return false;
    }
}
