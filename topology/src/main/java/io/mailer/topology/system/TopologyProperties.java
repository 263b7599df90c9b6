package io.mailer.topology.system;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The topology service's settings, bound from {@code mailer.topology.*}. The application derives
 * them from the environment variables; static defaults live in {@code topology.yml}.
 *
 * @param bootstrapServers Kafka bootstrap list
 * @param topicPrefix prefix of the Streams application ids ({@code MAILER_TOPIC_PREFIX}, as the topic
 *                    names' {@code mailer.topics.prefix})
 * @param stateDir Kafka Streams state directory; blank means a fresh temporary directory per start
 * @param numStandbyReplicas warm copies of each task's state on other instances
 * @param closeTimeout how long a graceful shutdown waits for Kafka Streams to commit and close
 * @param rocksDbMemoryMb off-heap memory of all RocksDB stores of the JVM together (block cache and memtables)
 */
@ConfigurationProperties("mailer.topology")
public record TopologyProperties(String bootstrapServers, String topicPrefix, String stateDir,
        int numStandbyReplicas, Duration closeTimeout, long rocksDbMemoryMb) {

    /** Kafka Streams application id: the consumer group and the prefix of internal topics. */
    public String applicationId() {
        return topicPrefix + "topology";
    }
}
