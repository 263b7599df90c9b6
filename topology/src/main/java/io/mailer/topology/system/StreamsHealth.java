package io.mailer.topology.system;

import org.apache.kafka.streams.KafkaStreams;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/** Kafka Streams state as readiness and liveness. */
final class StreamsHealth {

    private StreamsHealth() {
    }

    /**
     * Ready only in RUNNING: while REBALANCING or bootstrapping the suppressions table the
     * instance processes nothing, and a rolling update should wait for it.
     */
    public static HealthIndicator readiness(StreamsLifecycle lifecycle) {
        return () -> {
            KafkaStreams.State state = lifecycle.state();
            return (state == KafkaStreams.State.RUNNING ? Health.up() : Health.outOfService())
                    .withDetail("state", String.valueOf(state)).build();
        };
    }

    /**
     * Dead only after a failure (ERROR, or NOT_RUNNING following one): a restart is then the
     * remedy. Rebalancing or starting up is alive.
     */
    public static HealthIndicator liveness(StreamsLifecycle lifecycle) {
        return () -> {
            KafkaStreams.State state = lifecycle.state();
            boolean dead = state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR
                    || (state == KafkaStreams.State.NOT_RUNNING && lifecycle.failed());
            return (dead ? Health.down() : Health.up()).withDetail("state", String.valueOf(state)).build();
        };
    }
}
