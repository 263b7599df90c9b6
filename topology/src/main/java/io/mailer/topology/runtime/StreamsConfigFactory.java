package io.mailer.topology.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;

/** The Kafka Streams configuration of the topology service. */
public final class StreamsConfigFactory {

    private StreamsConfigFactory() {
    }

    public static Properties streamsConfig(TopologyProperties props) {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, props.applicationId());
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, props.bootstrapServers());
        // one transaction per commit covers input offsets, sends, events and dead letters: a chunk
        // is fanned out exactly once however often it is processed; consumers of the outputs read
        // them with isolation.level=read_committed
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir(props.stateDir()));
        config.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, props.numStandbyReplicas());
        config.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                LogAndSkipDeserializationHandler.class.getName());
        return config;
    }

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
