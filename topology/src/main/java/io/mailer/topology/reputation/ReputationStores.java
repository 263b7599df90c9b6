package io.mailer.topology.reputation;

import io.mailer.schemas.kafka.JsonSerde;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The guard's state. In the counter's tasks (keyed like {@code delivery-events}):
 * {@value #EVENTS_SEEN} and {@value #PARTIALS}; in the guard's tasks (keyed by tenant):
 * {@value #TENANTS}.
 *
 * <ul>
 *   <li>{@value #PARTIALS}: tenant → its window in this partition. Bound: one entry per tenant that
 *       sent through the partition, ≤ {@code buckets + 1} buckets (≈ 3 KB at 96, buckets as JSON arrays).</li>
 *   <li>{@value #TENANTS}: tenant → {@link GuardedTenant}. Bound: one entry per tenant that ever
 *       had a counted event or a command, (partitions + 1) × ≤ {@code buckets + 1} buckets.</li>
 *   <li>{@value #EVENTS_SEEN}: event id → 1, a window store whose segments expire after the dedupe
 *       horizon. Bound: the counted events (SENT, BOUNCED, DELIVERED, COMPLAINED) of the last
 *       {@code dedupeHorizon} (6 h) — ≈ 2.2 × sends in 6 h entries of ~80 B (send-id or SES-id keys).</li>
 * </ul>
 */
final class ReputationStores {

    public static final String TENANTS = "reputation-tenants-store";
    public static final String EVENTS_SEEN = "reputation-events-seen-store";
    public static final String PARTIALS = "reputation-partials-store";

    private ReputationStores() {
    }

    public static StoreBuilder<KeyValueStore<String, GuardedTenant>> tenants() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(TENANTS), Serdes.String(),
                new JsonSerde<>(GuardedTenant.class));
    }

    /**
     * Cached (Streams' record cache, flushed at each commit): a tenant's partial window is rewritten
     * for every event, and without the cache each rewrite was a RocksDB write and a changelog record
     * — half of the records the guard wrote to Kafka (issue 16). With the cache the changelog gets a
     * tenant's latest window once per commit, written before the commit's input offsets like the
     * events-seen marks, so a crash replays the events after the last commit against stores of that
     * commit (the guard is at-least-once).
     */
    public static StoreBuilder<KeyValueStore<String, GuardedTenant.Partial>> partials() {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PARTIALS), Serdes.String(),
                new JsonSerde<>(GuardedTenant.Partial.class)).withCachingEnabled();
    }

    public static StoreBuilder<WindowStore<String, Long>> eventsSeen(Duration horizon) {
        // a 1 ms window per id: the store is a set of ids whose segments expire after the horizon;
        // cached like the partials (flushed at each commit): one changelog record per id per commit
        // interval instead of a RocksDB write and a changelog record per event, written at the same
        // moment as the partials
        return Stores.windowStoreBuilder(Stores.persistentWindowStore(EVENTS_SEEN, horizon,
                Duration.ofMillis(1), false), Serdes.String(), Serdes.Long())
                .withCachingEnabled();
    }
}
