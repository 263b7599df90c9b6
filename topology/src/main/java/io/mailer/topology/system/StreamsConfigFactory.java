package io.mailer.topology.system;

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
     * The producer compresses its batches with zstd: every send of a batch carries the batch's whole
     * message, so a producer batch is mostly one template repeated, and zstd's window (unlike lz4's
     * 64 KiB blocks) spans many sends. The broker stores, replicates and serves the batches as
     * compressed; the dispatcher shares one message per batch in memory ({@code SharedMessageContents}).
     */
    public static final String PRODUCER_COMPRESSION = "zstd";
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
        config.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), PRODUCER_COMPRESSION);
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
     * The reputation guard's application: its own application id ({@code <prefix>reputation}: own
     * group and internal topics), the same handlers, the default buffer sizes (its input records are
     * small events, not 100 KB chunks) but at most {@value #REPUTATION_MAX_POLL_RECORDS} records a poll,
     * commits every second, and <b>at-least-once</b> processing (reading only committed input).
     *
     * <p>Why not exactly-once like the fan-out: under {@code exactly_once_v2} every commit of this
     * application is a chain of broker round trips (flush of the changelog, repartition and state
     * writes of ~26 partitions, each added to the transaction by the broker; {@code TxnOffsetCommit};
     * {@code EndTxn}; the next transaction's first writes waiting for the last one's markers), its
     * outputs — the partial windows on the repartition topic, then {@code tenant-states} — are
     * visible only after two such commits, and Streams blocks the thread for each: on a busy broker
     * the guard fell minutes behind (docs/reputation.md, "Why not exactly-once"). The guard's outputs are idempotent, so it
     * does not need transactions: a partial window is the whole window of its partition (the latest
     * wins), a state is the tenant's whole state with its version (compacted, the latest wins), a
     * state change's event id is tenant + version (a replay re-sends the same id), a command is applied
     * once per command id, and a redelivered delivery event is dropped by its event id in the
     * changelogged {@code reputation-events-seen-store}. What at-least-once leaves open: after a crash
     * (not a rebalance or shutdown, which commit first) an event in flight at the crash may be
     * counted twice or not at all (its "seen" and its count are two changelog records) — a few events
     * in a window of up to 10,000 sends.
     *
     * <p>{@code max.poll.records}: Streams processes everything a poll returned before it polls again,
     * so with a backlog a partial window the counter flushed waits behind up to a whole poll of events
     * before the guard's tasks can read it; at most {@value #REPUTATION_MAX_POLL_RECORDS} keeps that
     * wait well under a second.
     */
    public static Properties reputationConfig(TopologyProperties props, MeterRegistry meterRegistry) {
        Properties config = streamsConfig(props, meterRegistry);
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, props.topicPrefix() + "reputation");
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        // delivery-events and tenant-commands may carry records of aborted transactions (the fan-out's
        // events, ingress's commands): never count or apply those (at-least-once reads uncommitted by default)
        config.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_committed");
        config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, REPUTATION_COMMIT_INTERVAL_MS);
        config.remove(StreamsConfig.BUFFERED_RECORDS_PER_PARTITION_CONFIG);
        config.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), REPUTATION_MAX_POLL_RECORDS);
        // a short producer back-off: a refused write is retried at once rather than after 100 ms
        config.put(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG), 10);
        // counts do not depend on the order of a task's inputs (partials and commands): never wait
        // for an empty input partition to have data before processing the others
        config.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, -1L);
        // two threads: the counter's six tasks and the guard's six split between them, so a crossing
        // flushed by the counter is read by a guard task while the other thread works through a
        // backlog; and in a pod whose CPU is contended the guard gets two threads' share of it
        config.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, REPUTATION_STREAM_THREADS);
        return config;
    }

    /** The reputation guard's stream threads (see {@link #reputationConfig}). */
    public static final int REPUTATION_STREAM_THREADS = 2;

    /** The reputation guard's commit interval (see {@link #reputationConfig}): the replay after a crash. */
    public static final int REPUTATION_COMMIT_INTERVAL_MS = 1000;
    /** The reputation guard's records per poll (see {@link #reputationConfig}). */
    public static final int REPUTATION_MAX_POLL_RECORDS = 200;

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
