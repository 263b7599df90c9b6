package io.mailer.topology.reputation;

import io.mailer.schemas.reputation.ReputationState;
import io.mailer.topology.TopologyMetrics;
import java.util.Locale;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.StreamsMetrics;

/**
 * The guard's counters, as Streams sensors like the rest of the topology
 * ({@code kafka_stream_mailer_reputation_duplicates_dropped_total},
 * {@code kafka_stream_mailer_reputation_to_paused_total}, {@code ..._to_throttled_total},
 * {@code ..._to_active_total}). Per-tenant rates and states are gauges of ingress, which follows
 * {@code tenant-states} (see ingress README).
 */
final class ReputationMetrics {

    public static final String DUPLICATES_DROPPED = "reputation-duplicates-dropped";

    private Sensor duplicates;
    private StreamsMetrics metrics;

    void init(StreamsMetrics metrics) {
        this.metrics = metrics;
        this.duplicates = TopologyMetrics.sensor(metrics, DUPLICATES_DROPPED);
    }

    void duplicate() {
        if (duplicates != null) {
            duplicates.record();
        }
    }

    void transition(ReputationState to) {
        if (metrics != null) {
            TopologyMetrics.sensor(metrics, "reputation-to-" + to.name().toLowerCase(Locale.ROOT)).record();
        }
    }
}
