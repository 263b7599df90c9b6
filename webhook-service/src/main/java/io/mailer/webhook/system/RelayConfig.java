package io.mailer.webhook.system;

import io.mailer.platform.kafka.ConsumerLoop;
import io.mailer.schemas.kafka.Topic;
import io.mailer.platform.jobs.PeriodicJob;
import io.mailer.platform.kafka.TopicsConfiguration;
import io.mailer.schemas.kafka.Topics;
import io.mailer.platform.settings.KafkaClusterHealth;
import io.mailer.platform.settings.ProbePathsFilter;
import io.mailer.schemas.webhooks.WebhookUrlPolicy;
import io.mailer.webhook.WebhookProperties;
import io.mailer.webhook.projector.DeliveryProjector;
import io.mailer.webhook.projector.DeliveryRetention;
import io.mailer.webhook.relay.EndpointDirectory;
import io.mailer.webhook.relay.HttpSender;
import io.mailer.webhook.relay.Relay;
import io.mailer.webhook.relay.RelayMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
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
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;

/** The relay's parts, wired once; {@link RelayLifecycle} starts them in order and stops them in reverse. */
@Configuration(proxyBeanMethods = false)
@Import(TopicsConfiguration.class)
class RelayConfig {

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

    /** Liveness: the relay's consumer loop and the two readers' threads are running (retrying counts as running). */
    @Bean("relayLoop")
    public HealthIndicator relayHealth(Relay relay, EndpointDirectory directory, DeliveryProjector projector) {
        return () -> {
            if (!relay.alive()) {
                return Health.down().withDetail("reason", "relay loop stopped").build();
            }
            for (ConsumerLoop loop : List.of(directory.loop(), projector.loop())) {
                if (!loop.alive()) {
                    return Health.down().withDetail("reason", loop.name() + " thread ended").build();
                }
            }
            return Health.up().build();
        };
    }

    /**
     * Readiness: the endpoints are loaded and followed, the relay has started (it waits for them)
     * and the deliveries projector reads; a reader retrying after a failure shows here with its error.
     */
    @Bean("webhookReaders")
    public HealthIndicator readersHealth(EndpointDirectory directory, DeliveryProjector projector, RelayLifecycle lifecycle) {
        return () -> {
            ConsumerLoop endpoints = directory.loop();
            ConsumerLoop deliveries = projector.loop();
            boolean up = directory.caughtUp() && endpoints.state() == ConsumerLoop.State.READING && lifecycle.relayStarted()
                    && deliveries.state() == ConsumerLoop.State.READING;
            Health.Builder health = up ? Health.up() : Health.down();
            health.withDetail("endpoints", endpoints.state() + (directory.caughtUp() ? "" : ", not caught up"))
                    .withDetail("relay", lifecycle.relayStarted() ? "STARTED" : "WAITING_FOR_ENDPOINTS")
                    .withDetail("deliveriesProjector", deliveries.state());
            for (ConsumerLoop loop : List.of(endpoints, deliveries)) {
                if (loop.lastError() != null) {
                    health.withDetail(loop.name() + ".failures", loop.failures()).withDetail(loop.name() + ".lastError", loop.lastError());
                }
            }
            return health.build();
        };
    }

    /** {@code mailer.webhook.reader.reading} (1 reading, 0 not) and {@code mailer.webhook.reader.failures}, tag {@code reader}. */
    @Bean
    public MeterBinder readerMetrics(EndpointDirectory directory, DeliveryProjector projector) {
        return registry -> {
            for (ConsumerLoop loop : List.of(directory.loop(), projector.loop())) {
                Gauge.builder("mailer.webhook.reader.reading", loop, l -> l.state() == ConsumerLoop.State.READING ? 1 : 0)
                        .tag("reader", loop.name()).description("1 while the reader reads; 0 starting, retrying after a failure or stopped")
                        .register(registry);
                FunctionCounter.builder("mailer.webhook.reader.failures", loop, ConsumerLoop::failures)
                        .tag("reader", loop.name()).description("Reader failures, each followed by a restart with back-off")
                        .register(registry);
            }
        };
    }

    /** Starts the endpoint copy first and the relay once it has caught up; stops the relay first. */
    public static final class RelayLifecycle implements SmartLifecycle {

        private static final Logger log = LoggerFactory.getLogger(RelayLifecycle.class);

        private final EndpointDirectory directory;
        private final Relay relay;
        private final DeliveryProjector projector;
        private volatile boolean running;
        private volatile boolean stopping;
        private volatile boolean relayStarted;

        RelayLifecycle(EndpointDirectory directory, Relay relay, DeliveryProjector projector) {
            this.directory = directory;
            this.relay = relay;
            this.projector = projector;
        }

        @Override
        public void start() {
            directory.start();
            try {
                if (directory.awaitCaughtUp(Duration.ofSeconds(60))) {
                    startRelay();
                } else {
                    // relaying without the endpoints would skip (and commit past) every event of their tenants
                    log.warn("Webhook endpoints not loaded within 60 s ({}); the relay starts once they are",
                            directory.loop().state());
                    Thread starter = new Thread(this::startRelayOnceCaughtUp, "webhook-relay-starter");
                    starter.setDaemon(true);
                    starter.start();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            running = true;
        }

        private void startRelayOnceCaughtUp() {
            try {
                while (!directory.awaitCaughtUp(Duration.ofSeconds(1))) {
                    if (stopping) {
                        return;
                    }
                }
                startRelay();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Starts the relay, and the projector once the relay has joined; nothing once stop() began. */
        private void startRelay() throws InterruptedException {
            synchronized (this) {
                if (stopping) {
                    return;
                }
                relay.start();
                relayStarted = true;
            }
            if (!relay.awaitJoined(Duration.ofSeconds(60))) {
                log.warn("The webhook relay has not joined its consumer group within 60 s; starting anyway");
            }
            synchronized (this) {
                if (!stopping) {
                    projector.start();
                }
            }
        }

        /** The relay waits for the endpoints (health: readiness "webhookReaders"). */
        public boolean relayStarted() {
            return relayStarted;
        }

        @Override
        public void stop() {
            synchronized (this) {
                stopping = true;
            }
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
