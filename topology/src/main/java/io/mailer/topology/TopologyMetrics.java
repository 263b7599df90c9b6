package io.mailer.topology;

import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.StreamsMetrics;

/**
 * The topology's own counters, registered as Kafka Streams sensors so they travel with the
 * built-in metrics: {@code KafkaStreamsMetrics} exports them to Micrometer (Prometheus name
 * {@code kafka_stream_mailer_<operation>_total}) and {@code TopologyTestDriver#metrics()} shows
 * them in tests. Group {@code stream-mailer-metrics}, tag {@code mailer-id=topology}.
 */
public final class TopologyMetrics {

    public static final String SCOPE = "mailer";
    public static final String ENTITY = "topology";

    public static final String COMMANDS_DEAD_LETTERED = "commands-dead-lettered";
    public static final String DUPLICATE_CHUNKS_DROPPED = "duplicate-chunks-dropped";
    public static final String CHUNKS_SCHEDULED = "chunks-scheduled";
    public static final String CHUNKS_RELEASED = "chunks-released";
    public static final String RECIPIENTS_CANCELLED = "recipients-cancelled";
    public static final String RECIPIENTS_FANNED_OUT = "recipients-fanned-out";
    public static final String RECIPIENTS_SUPPRESSED = "recipients-suppressed";
    /** Send requests over the record budget: FAILED event + {@code sends-dlt} instead of {@code sends}. */
    public static final String RECIPIENTS_TOO_LARGE = "recipients-too-large";

    private TopologyMetrics() {
    }

    /**
     * The sensor for one operation. Every task of a thread gets the same sensor back (Kafka
     * metrics deduplicates by name), so processors may call this from {@code init} freely.
     */
    public static Sensor sensor(StreamsMetrics metrics, String operation) {
        return metrics.addRateTotalSensor(SCOPE, ENTITY, operation, Sensor.RecordingLevel.INFO);
    }
}
