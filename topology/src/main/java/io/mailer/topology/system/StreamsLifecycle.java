package io.mailer.topology.system;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Runs one {@link KafkaStreams} client for the lifetime of the Spring context.
 *
 * <p>Started last and stopped first (default phase), so on shutdown the stream commits its open
 * transaction and leaves the group before the web server goes away. A fresh client is built on
 * every start because a closed {@code KafkaStreams} cannot be restarted.
 */
public final class StreamsLifecycle implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(StreamsLifecycle.class);

    /**
     * How often new Kafka metrics are picked up by Micrometer. The topology's own sensors only
     * exist once tasks are assigned, after binding; the binder's default (60 s) would hide them
     * for a minute after every start.
     */
    private static final Duration METRICS_REFRESH = Duration.ofSeconds(5);

    private final Supplier<Topology> topology;
    private final Supplier<Properties> config;
    private final MeterRegistry meterRegistry;
    private final Duration closeTimeout;

    private volatile KafkaStreams streams;
    private volatile KafkaStreamsMetrics metrics;
    private volatile ScheduledExecutorService metricsRefresh;
    private volatile boolean running;
    private volatile boolean failed;

    public StreamsLifecycle(Supplier<Topology> topology, Supplier<Properties> config, MeterRegistry meterRegistry,
            Duration closeTimeout) {
        this.topology = topology;
        this.config = config;
        this.meterRegistry = meterRegistry;
        this.closeTimeout = closeTimeout;
    }

    @Override
    public synchronized void start() {
        Topology built = topology.get();
        log.info("Starting Kafka Streams topology:\n{}", built.describe());
        KafkaStreams client = new KafkaStreams(built, config.get());
        failed = false;
        client.setStateListener((now, before) -> {
            log.info("Kafka Streams state {} -> {}", before, now);
            if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.PENDING_ERROR) {
                failed = true;
            }
        });
        // a thread that dies on an unexpected exception would die again on the same record:
        // stop the client, let liveness go DOWN and the orchestrator restart the instance
        client.setUncaughtExceptionHandler(e -> {
            log.error("Kafka Streams thread failed; shutting the client down", e);
            failed = true;
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        metricsRefresh = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kafka-streams-metrics-refresh");
            t.setDaemon(true);
            return t;
        });
        metrics = new KafkaStreamsMetrics(client, List.of(), metricsRefresh, METRICS_REFRESH);
        metrics.bindTo(meterRegistry);
        streams = client;
        client.start();
        running = true;
    }

    @Override
    public synchronized void stop() {
        KafkaStreams client = streams;
        if (client == null) {
            return;
        }
        log.info("Closing Kafka Streams (timeout {})", closeTimeout);
        // the meters first: some (RocksDB properties) call into a store's native handle when read,
        // and a read after Streams closed the store crashed the JVM (SIGSEGV) in a test run
        metricsRefresh.shutdownNow();
        metrics.close();
        // leaving the group lets the remaining instances take over the partitions at once
        // instead of after the session timeout
        boolean closed = client.close(new KafkaStreams.CloseOptions().timeout(closeTimeout).leaveGroup(true));
        if (!closed) {
            log.warn("Kafka Streams did not close within {}", closeTimeout);
        }
        running = false;
    }

    /**
     * Spring's shutdown calls this: the topology's two clients (batch fan-out, reputation) then
     * close side by side instead of one after the other; the phase still waits for both.
     */
    @Override
    public void stop(Runnable callback) {
        Thread closer = new Thread(() -> {
            try {
                stop();
            } finally {
                callback.run();
            }
        }, "streams-lifecycle-stop");
        closer.start();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** The client's state, or null before the first start. */
    public KafkaStreams.State state() {
        KafkaStreams client = streams;
        return client == null ? null : client.state();
    }

    /** True once the client has failed (as opposed to being closed on purpose). */
    public boolean failed() {
        return failed;
    }

    /** The running client, for the health indicators and tests. */
    public KafkaStreams streams() {
        return streams;
    }
}
