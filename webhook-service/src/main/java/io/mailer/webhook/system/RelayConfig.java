package io.mailer.webhook.system;

import io.mailer.schemas.kafka.Topic;
import io.mailer.schemas.jobs.PeriodicJob;
import io.mailer.schemas.kafka.TopicDeclarer;
import io.mailer.schemas.kafka.Topics;
import io.mailer.schemas.settings.KafkaClusterHealth;
import io.mailer.schemas.settings.ProbePathsFilter;
import io.mailer.schemas.webhooks.WebhookUrlPolicy;
import io.mailer.webhook.WebhookProperties;
import io.mailer.webhook.projector.DeliveryProjector;
import io.mailer.webhook.projector.DeliveryRetention;
import io.mailer.webhook.relay.EndpointDirectory;
import io.mailer.webhook.relay.HttpSender;
import io.mailer.webhook.relay.Relay;
import io.mailer.webhook.relay.RelayMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/** The relay's parts, wired once; {@link RelayLifecycle} starts them in order and stops them in reverse. */
@Configuration(proxyBeanMethods = false)
class RelayConfig {

    @Bean
    public Topics topics(WebhookProperties props) {
        return new Topics(props.topicPrefix());
    }

    @Bean
    public TopicDeclarer topicDeclarer(KafkaProperties kafka, Topics topics, WebhookProperties props) {
        return new TopicDeclarer(kafka.buildAdminProperties(), topics.newTopics(props.topicPartitions()));
    }

    /** Readiness contributor "kafka". */
    @Bean("kafka")
    public KafkaClusterHealth kafkaHealth(KafkaProperties kafka) {
        return new KafkaClusterHealth(kafka.buildAdminProperties());
    }

    @Bean
    public ProbePathsFilter probePathsFilter() {
        return new ProbePathsFilter();
    }

    @Bean
    public Clock clock() {
        return Clock.systemUTC();
    }

    @Bean(destroyMethod = "close")
    public KafkaProducer<String, Object> webhookProducer(KafkaProperties kafka, Topics topics) {
        Map<String, Object> config = new HashMap<>(kafka.buildProducerProperties());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
        Map<String, Serializer<Object>> byTopic = new HashMap<>();
        for (Topic<String, ?> t : topics.all()) {
            @SuppressWarnings("unchecked")
            Serializer<Object> s = (Serializer<Object>) t.valueSerde().serializer();
            byTopic.put(t.name(), s);
        }
        Serializer<Object> values = (topic, data) -> data == null ? null : byTopic.get(topic).serialize(topic, data);
        return new KafkaProducer<>(config, new StringSerializer(), values);
    }

    @Bean
    public AtomicInteger webhookMessagesInMemory() {
        return new AtomicInteger();
    }

    @Bean
    public RelayMetrics relayMetrics(MeterRegistry registry, Clock clock, AtomicInteger webhookMessagesInMemory) {
        return new RelayMetrics(registry, clock, webhookMessagesInMemory);
    }

    @Bean(destroyMethod = "close")
    public HttpSender httpSender(WebhookProperties props, Clock clock) {
        return new HttpSender(new WebhookUrlPolicy(props.allowHttp(), props.allowedNetworks()), props.timeout(), clock);
    }

    @Bean
    public EndpointDirectory endpointDirectory(KafkaProperties kafka, Topics topics) {
        return new EndpointDirectory(topics.webhookEndpoints, kafka.buildConsumerProperties());
    }

    @Bean
    public Relay relay(KafkaProperties kafka, Topics topics, KafkaProducer<String, Object> webhookProducer,
            EndpointDirectory directory, HttpSender sender, WebhookProperties props, Clock clock, RelayMetrics metrics,
            AtomicInteger webhookMessagesInMemory) {
        var settings = new io.mailer.webhook.relay.RelaySettings(props.retryDelays(), props.disableAfter(), props.maxAge(),
                props.endpointQueue(), props.endpointConcurrency());
        return new Relay(topics, kafka.buildConsumerProperties(), webhookProducer, directory, sender, settings,
                props.maxInMemory(), clock, metrics, webhookMessagesInMemory);
    }

    @Bean
    public DeliveryProjector deliveryProjector(KafkaProperties kafka, Topics topics, JdbcTemplate jdbc) {
        return new DeliveryProjector(topics, kafka.buildConsumerProperties(), jdbc);
    }

    @Bean
    public DeliveryRetention deliveryRetention(DataSource dataSource, WebhookProperties props, MeterRegistry registry) {
        return new DeliveryRetention(dataSource, props.deliveryRetention(), Duration.ofHours(1), registry);
    }

    @Bean
    public PeriodicJob deliveryRetentionSchedule(DeliveryRetention retention) {
        return retention.schedule();
    }

    @Bean
    public RelayLifecycle relayLifecycle(EndpointDirectory directory, Relay relay, DeliveryProjector projector) {
        return new RelayLifecycle(directory, relay, projector);
    }

    /** Liveness: the relay's consumer loop is running. */
    @Bean("relayLoop")
    public HealthIndicator relayHealth(Relay relay) {
        return () -> relay.alive() ? Health.up().build() : Health.down().withDetail("reason", "relay loop stopped").build();
    }

    /** Starts the endpoint copy first and the relay once it has caught up; stops the relay first. */
    public static final class RelayLifecycle implements SmartLifecycle {

        private static final Logger log = LoggerFactory.getLogger(RelayLifecycle.class);

        private final EndpointDirectory directory;
        private final Relay relay;
        private final DeliveryProjector projector;
        private volatile boolean running;

        RelayLifecycle(EndpointDirectory directory, Relay relay, DeliveryProjector projector) {
            this.directory = directory;
            this.relay = relay;
            this.projector = projector;
        }

        @Override
        public void start() {
            directory.start();
            try {
                if (!directory.awaitCaughtUp(Duration.ofSeconds(60))) {
                    log.warn("Webhook endpoints not loaded within 60 s; relaying with {} known", directory.size());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            relay.start();
            try {
                if (!relay.awaitJoined(Duration.ofSeconds(60))) {
                    log.warn("The webhook relay has not joined its consumer group within 60 s; starting anyway");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            projector.start();
            running = true;
        }

        @Override
        public void stop() {
            relay.close();
            projector.close();
            directory.close();
            running = false;
        }

        @Override
        public boolean isRunning() {
            return running;
        }
    }

}
