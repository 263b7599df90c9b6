package io.mailer.topology.system;

import io.mailer.platform.kafka.TopicsConfiguration;
import io.mailer.schemas.kafka.Topics;
import io.mailer.platform.settings.ProbePathsFilter;
import io.mailer.topology.TopologyFactory;
import io.mailer.topology.intake.DeadLetters;
import io.mailer.schemas.reputation.ReputationPolicy;
import io.mailer.topology.reputation.ReputationSettings;
import io.mailer.topology.reputation.ReputationTopology;
import java.time.Duration;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.streams.StreamsBuilder;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** Wires the topology, its Kafka Streams client, its topics and its health indicators. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(TopologyProperties.class)
@Import(TopicsConfiguration.class)
class TopologyConfiguration {

    /**
     * Streams is built outside Spring Kafka's factories, so it takes {@code spring.kafka.properties}
     * (the TLS/SASL client settings of {@code KafkaSecurity}) explicitly, under its own settings.
     */
    @Bean
    StreamsLifecycle kafkaStreamsLifecycle(Topics topics, TopologyProperties props, MeterRegistry meterRegistry,
            KafkaProperties kafka) {
        return new StreamsLifecycle(() -> TopologyFactory.build(new StreamsBuilder(), topics), () -> {
            java.util.Properties config = new java.util.Properties();
            config.putAll(kafka.getProperties());
            config.putAll(StreamsConfigFactory.streamsConfig(props, meterRegistry));
            return config;
        }, meterRegistry, props.closeTimeout());
    }

    /**
     * The reputation guard: a second Kafka Streams application ({@code <prefix>reputation}) in this
     * service — isolated from the fan-out's load and committing every 100 ms (see
     * {@link StreamsConfigFactory#reputationConfig}).
     */
    @Bean
    StreamsLifecycle reputationStreamsLifecycle(Topics topics, TopologyProperties props, MeterRegistry meterRegistry,
            KafkaProperties kafka, ReputationSettings reputation) {
        return new StreamsLifecycle(() -> ReputationTopology.build(new StreamsBuilder(), topics, reputation), () -> {
            java.util.Properties config = new java.util.Properties();
            config.putAll(kafka.getProperties());
            config.putAll(StreamsConfigFactory.reputationConfig(props, meterRegistry));
            return config;
        }, meterRegistry, props.closeTimeout());
    }

    /** The reputation guard's window and default policy ({@code REPUTATION_*}; see README). */
    @Bean
    ReputationSettings reputationSettings(@Value("${mailer.topology.reputation.window:PT24H}") Duration window,
            @Value("${mailer.topology.reputation.window-sends:10000}") long windowSends,
            @Value("${mailer.topology.reputation.throttle-bounce-rate:0.025}") double throttleBounce,
            @Value("${mailer.topology.reputation.pause-bounce-rate:0.05}") double pauseBounce,
            @Value("${mailer.topology.reputation.throttle-complaint-rate:0.0005}") double throttleComplaint,
            @Value("${mailer.topology.reputation.pause-complaint-rate:0.001}") double pauseComplaint,
            @Value("${mailer.topology.reputation.min-sends:200}") long minSends,
            @Value("${mailer.topology.reputation.min-deliveries:1000}") long minDeliveries,
            @Value("${mailer.topology.reputation.throttle-share:0.25}") double throttleShare) {
        ReputationPolicy policy = new ReputationPolicy(throttleBounce, pauseBounce, throttleComplaint, pauseComplaint,
                minSends, minDeliveries, throttleShare, ReputationPolicy.PausedSubmissions.ACCEPT);
        if (policy.problem() != null) {
            throw new IllegalArgumentException("REPUTATION_* settings: " + policy.problem());
        }
        ReputationSettings d = ReputationSettings.DEFAULTS;
        return new ReputationSettings(window, windowSends, d.buckets(), d.dedupeHorizon(), d.publishInterval(), policy);
    }

    /** Liveness and readiness at the deployment guide's paths. */
    @Bean
    ProbePathsFilter probePathsFilter() {
        return new ProbePathsFilter();
    }

    @Bean
    HealthIndicator kafkaStreamsReadinessHealthIndicator(StreamsLifecycle kafkaStreamsLifecycle) {
        return StreamsHealth.readiness(kafkaStreamsLifecycle);
    }

    @Bean
    HealthIndicator kafkaStreamsLivenessHealthIndicator(StreamsLifecycle kafkaStreamsLifecycle) {
        return StreamsHealth.liveness(kafkaStreamsLifecycle);
    }

    @Bean
    HealthIndicator reputationStreamsReadinessHealthIndicator(StreamsLifecycle reputationStreamsLifecycle) {
        return StreamsHealth.readiness(reputationStreamsLifecycle);
    }

    @Bean
    HealthIndicator reputationStreamsLivenessHealthIndicator(StreamsLifecycle reputationStreamsLifecycle) {
        return StreamsHealth.liveness(reputationStreamsLifecycle);
    }
}
