package io.mailer.topology.runtime;

import io.mailer.schemas.limits.RecordBudget;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;

/** The Kafka Streams configuration of the topology service. */
public final class StreamsConfigFactory {

    /**
     * One transaction per second instead of Streams' exactly-once default of ten. Each commit
     * flushes the producer and blocks processing until every record in flight is acknowledged,
     * then writes transaction markers to every partition written (12 output partitions plus
     * changelogs and offsets). The cost: read_committed consumers (the dispatcher) see sends up to
     * ~1 s later, and a crash redoes up to a second of work (exactly once all the same).
     */
    public static final int COMMIT_INTERVAL_MS = 1000;
    /**
     * Producer batches of up to 256 KiB (default 16 KiB, ~30 send requests): fewer, larger produce
     * requests for the producer and the broker to handle per record. Streams already sets
     * {@code linger.ms=100}.
     */
    public static final int PRODUCER_BATCH_SIZE = 256 * 1024;
    /**
     * Input records buffered per partition, and returned per poll (Streams defaults: 1,000 each). A
     * batch is keyed by its id, so all its chunks share one partition; at ~100 KB a chunk, the
     * default buffer held up to 100 MB of raw chunks on the heap, copied at every young GC. 20
     * chunks are still ~20,000 recipients of work queued ahead of the thread.
     */
    public static final int BUFFERED_CHUNKS_PER_PARTITION = 20;

    private StreamsConfigFactory() {
    }

    /** As {@link #streamsConfig(TopologyProperties)}, with the registry the skipped-output counter goes to. */
    public static Properties streamsConfig(TopologyProperties props, MeterRegistry meterRegistry) {
        Properties config = streamsConfig(props);
        config.put(SkipOversizedOutputHandler.METER_REGISTRY_CONFIG, meterRegistry);
        return config;
    }

    public static Properties streamsConfig(TopologyProperties props) {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, props.applicationId());
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, props.bootstrapServers());
        // one transaction per commit covers input offsets, sends, events and dead letters: a chunk
        // is fanned out exactly once however often it is processed; consumers of the outputs read
        // them with isolation.level=read_committed
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, COMMIT_INTERVAL_MS);
        config.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), PRODUCER_BATCH_SIZE);
        config.put(StreamsConfig.BUFFERED_RECORDS_PER_PARTITION_CONFIG, BUFFERED_CHUNKS_PER_PARTITION);
        config.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG),
                BUFFERED_CHUNKS_PER_PARTITION);
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir(props.stateDir()));
        config.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, props.numStandbyReplicas());
        config.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbConfig.class.getName());
        config.put(BoundedRocksDbConfig.MEMORY_BYTES_CONFIG, props.rocksDbMemoryMb() * 1024 * 1024);
        config.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                LogAndSkipDeserializationHandler.class.getName());
        // the record budget, explicit: a broker or cluster with smaller defaults fails at start (topic
        // creation) or on one record, which the topology dead-letters, never on a whole batch
        config.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), RecordBudget.KAFKA_MAX_BYTES);
        config.put(StreamsConfig.topicPrefix(TopicConfig.MAX_MESSAGE_BYTES_CONFIG), RecordBudget.KAFKA_MAX_BYTES);
        config.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, SkipOversizedOutputHandler.class.getName());
        return config;
    }

    /**
     * The reputation guard's application: the same guarantees and handlers, its own application id
     * ({@code <prefix>reputation}: own group, transactions, internal topics), the default poll and
     * buffer sizes (its input records are small events, not 100 KB chunks), and commits every
     * second like the fan-out. Measured: at 100 ms (the EOS default) on a busy broker a commit took
     * longer than the interval, and Streams' processing loop then shrinks to one record per task
     * between commits — about 10 events/s while 400/s arrived, minutes behind in the integration
     * test; at 1 s it keeps up, and a crossing is ≈ 2.5 s (two commits + a 200 ms flush) from the
     * dispatcher.
     */
    public static Properties reputationConfig(TopologyProperties props, MeterRegistry meterRegistry) {
        Properties config = streamsConfig(props, meterRegistry);
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, props.topicPrefix() + "reputation");
        config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, REPUTATION_COMMIT_INTERVAL_MS);
        config.remove(StreamsConfig.BUFFERED_RECORDS_PER_PARTITION_CONFIG);
        config.remove(StreamsConfig.mainConsumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG));
        // with transactions v2 the first record of a transaction is refused (CONCURRENT_TRANSACTIONS)
        // while the broker still writes the previous one's markers; at the default 100 ms back-off
        // (doubling) a loop committing every 100 ms spent most of its time waiting: 141 polls and
        // ~117 records/s in 2 minutes in the integration test, far behind the events
        config.put(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG), 10);
        // counts do not depend on the order of a task's inputs (partials and commands): never wait
        // for an empty input partition to have data before processing the others
        config.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, -1L);
        // EXPERIMENT (issue 16): at-least-once, reading only committed input
        if (Boolean.getBoolean("mailer.reputation.alos")) {
            config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
            config.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_committed");
        }
        return config;
    }

    /** The reputation guard's commit interval (see {@link #reputationConfig}). */
    public static final int REPUTATION_COMMIT_INTERVAL_MS = 1000;

    private static String stateDir(String configured) {
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        try {
            // a private directory per start: two instances on one machine (tests, the one-JVM
            // launcher) never fight over the state-directory lock. Correct but slower to start:
            // every store is changelogged (the global one is its own topic), so it is restored
            // from Kafka; production sets STREAMS_STATE_DIR to a persistent volume
            return Files.createTempDirectory("mailer-topology-").toString();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a temporary Kafka Streams state directory", e);
        }
    }
}
