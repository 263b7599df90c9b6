package io.mailer.dispatcher.kafka;

import io.mailer.platform.kafka.TopicsConfiguration;
import io.mailer.dispatcher.DispatcherProperties;
import io.mailer.dispatcher.ledger.CancelledBatches;
import io.mailer.dispatcher.ledger.CompactedTopicView;
import io.mailer.dispatcher.ledger.LedgerView;
import io.mailer.dispatcher.ledger.SendLedger;
import io.mailer.dispatcher.ratelimit.SharedRateLimiter;
import io.mailer.dispatcher.send.DispatcherMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mailer.schemas.commands.BatchCancellation;
import io.mailer.dispatcher.send.SendGate;
import io.mailer.dispatcher.send.SendStrategy;
import io.mailer.dispatcher.tenant.HeldSends;
import io.mailer.dispatcher.tenant.HoldReleaser;
import io.mailer.dispatcher.tenant.TenantGuard;
import io.mailer.dispatcher.tenant.TenantThrottle;
import io.mailer.schemas.reputation.TenantState;
import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.SendRequest;
import io.mailer.schemas.kafka.Topics;
import io.mailer.schemas.limits.RecordBudget;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.KafkaException;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.event.ListenerContainerIdleEvent;
import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Kafka wiring: topics, the {@code sends} consumer and its container, the delivery-event producer
 * and the dead-letter path. Client settings that are invariants of the design (read_committed,
 * manual commits, idempotent acks=all) are set here, not left to configuration.
 */
@Configuration(proxyBeanMethods = false)
@Import(TopicsConfiguration.class)
public class KafkaConfiguration {

    /** Header on {@code sends-dlt} records saying why the record was diverted. */
    public static final String DLT_REASON_HEADER = "mailer-dlt-reason";
    private static final Duration IDLE_EVENT_INTERVAL = Duration.ofSeconds(1);

    @Bean
    DefaultKafkaConsumerFactory<String, SendRequest> sendsConsumerFactory(KafkaProperties kafka,
            DispatcherProperties properties, Topics topics) {
        Map<String, Object> config = new HashMap<>(kafka.buildConsumerProperties());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId(topics));
        // the topology writes sends transactionally: never act on an aborted record
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords(properties));
        // a value that cannot be read arrives as null with the exception in a header (see SendsListener);
        // the sends of one batch share one message in memory
        return new DefaultKafkaConsumerFactory<>(config, new StringDeserializer(),
                new ErrorHandlingDeserializer<>(new SharedMessageContents(topics.sends.valueSerde().deserializer())));
    }

    /** See {@link ProducerFactories}. */
    @Bean
    ProducerFactories producerFactories() {
        return new ProducerFactories();
    }

    @Bean
    KafkaTemplate<String, DeliveryEvent> deliveryEventTemplate(KafkaProperties kafka, Topics topics,
            ProducerFactories producerFactories) {
        return new KafkaTemplate<>(producerFactories.add(new DefaultKafkaProducerFactory<>(reliableProducer(kafka),
                new StringSerializer(), topics.deliveryEvents.valueSerde().serializer())));
    }

    /**
     * Dead letters keep the record's original bytes: the recoverer publishes the raw value of an
     * unreadable record, which is a {@code byte[]}; anything else is a send request.
     */
    @Bean
    KafkaTemplate<String, Object> deadLetterTemplate(KafkaProperties kafka, Topics topics,
            ProducerFactories producerFactories) {
        Serializer<SendRequest> sends = topics.sendsDlt.valueSerde().serializer();
        Serializer<Object> raw = (topic, value) -> value instanceof byte[] bytes ? bytes
                : sends.serialize(topic, (SendRequest) value);
        return new KafkaTemplate<>(producerFactories.add(new DefaultKafkaProducerFactory<>(reliableProducer(kafka),
                new StringSerializer(), raw)));
    }

    @Bean
    LedgerView sendsLedgerView(KafkaProperties kafka, Topics topics, DispatcherProperties properties,
            DispatcherMetrics metrics) {
        LedgerView view = new LedgerView(kafka.buildConsumerProperties(), topics.sendsLedger.name(), topics.sends.name(),
                properties.rate().ledgerReadHorizon(), properties.rate().ledgerCommittedHorizon());
        metrics.watch(view);
        return view;
    }

    @Bean
    SendLedger sendLedger(LedgerView sendsLedgerView, KafkaProperties kafka, Topics topics,
            ProducerFactories producerFactories) {
        KafkaTemplate<String, String> template = new KafkaTemplate<>(producerFactories.add(new DefaultKafkaProducerFactory<>(
                reliableProducer(kafka), new StringSerializer(), new StringSerializer())));
        return new SendLedger(sendsLedgerView, template, topics.sendsLedger.name());
    }

    @Bean
    CompactedTopicView<BatchCancellation> batchCancellationsView(KafkaProperties kafka, Topics topics,
            DispatcherMetrics metrics) {
        CompactedTopicView<BatchCancellation> view = new CompactedTopicView<>(kafka.buildConsumerProperties(),
                topics.batchCancellations.name(), topics.batchCancellations.valueSerde().deserializer());
        metrics.watch(view);
        return view;
    }

    /** The reputation guard's tenant states (compacted {@code tenant-states}), read whole and followed. */
    @Bean
    CompactedTopicView<TenantState> tenantStatesView(KafkaProperties kafka, Topics topics, DispatcherMetrics metrics) {
        CompactedTopicView<TenantState> view = new CompactedTopicView<>(kafka.buildConsumerProperties(),
                topics.tenantStates.name(), topics.tenantStates.valueSerde().deserializer());
        metrics.watch(view);
        return view;
    }

    @Bean
    TenantGuard tenantGuard(CompactedTopicView<TenantState> tenantStatesView, SharedRateLimiter rateLimiter,
            DispatcherMetrics metrics) {
        TenantGuard guard = new TenantGuard(tenantStatesView::get, tenantStatesView::isInitialized, new TenantThrottle(),
                rateLimiter::currentRate);
        metrics.watch(guard.throttle());
        return guard;
    }

    @Bean
    HeldSends heldSends(KafkaTemplate<String, Object> deadLetterTemplate, Topics topics) {
        return new HeldSends(deadLetterTemplate, topics.sendsHeld.name());
    }

    /** Releases held sends of resumed tenants to {@code sends}, transactionally (group {@code <prefix>dispatcher-held}). */
    @Bean
    HoldReleaser holdReleaser(KafkaProperties kafka, Topics topics, DispatcherProperties properties, TenantGuard tenantGuard,
            CompactedTopicView<TenantState> tenantStatesView, DispatcherMetrics metrics) {
        HoldReleaser releaser = new HoldReleaser(kafka.buildConsumerProperties(), reliableProducer(kafka),
                groupId(topics) + "-held", topics.sendsHeld.name(), topics.sends.name(), topics.sendsDlt.name(),
                tenantGuard::isPaused, tenantStatesView::isInitialized);
        metrics.watch(releaser);
        return releaser;
    }

    @Bean
    CancelledBatches cancelledBatches(CompactedTopicView<BatchCancellation> batchCancellationsView) {
        return new CancelledBatches(batchCancellationsView);
    }

    @Bean
    OutcomePublisher outcomePublisher(KafkaTemplate<String, DeliveryEvent> deliveryEventTemplate, Topics topics,
            Clock clock) {
        return new OutcomePublisher(deliveryEventTemplate, topics.deliveryEvents.name(), clock, Duration.ofMinutes(2));
    }

    @Bean
    DefaultErrorHandler sendsErrorHandler(KafkaTemplate<String, Object> deadLetterTemplate, Topics topics,
            DispatcherMetrics metrics) {
        DeadLetterPublishingRecoverer deadLetters = new DeadLetterPublishingRecoverer(deadLetterTemplate,
                // partition -1: let the producer choose; sends-dlt need not mirror the partitions of sends
                (record, e) -> new TopicPartition(topics.sendsDlt.name(), -1));
        deadLetters.addHeadersFunction((record, e) -> new RecordHeaders().add(DLT_REASON_HEADER,
                reason(e).getBytes(StandardCharsets.UTF_8)));
        // Poison records are never retried (they cannot get better). Anything else thrown by the
        // listener (delivery events not acknowledged) retries the poll with backoff, without limit:
        // those sends are fine and must never end up in the dead-letter topic.
        ExponentialBackOff backOff = new ExponentialBackOff(1_000, 2.0);
        backOff.setMaxInterval(30_000);
        DefaultErrorHandler handler = new DefaultErrorHandler((record, e) -> {
            deadLetters.accept(record, e);
            metrics.deadLetter(poison(e) != null ? poison(e).reason() : "other");
        }, backOff);
        handler.addNotRetryableExceptions(PoisonRecordException.class);
        // SendsListener logs each poison record; the handler's own "seek after exception" is routine
        handler.setLogLevel(KafkaException.Level.DEBUG);
        return handler;
    }

    @Bean
    ConsumptionPauser consumptionPauser(ScheduledExecutorService dispatcherScheduler) {
        return new ConsumptionPauser(dispatcherScheduler);
    }

    @Bean
    RetryTiers retryTiers(Topics topics, DispatcherProperties properties, KafkaTemplate<String, Object> deadLetterTemplate,
            Clock clock, DispatcherMetrics metrics) {
        return new RetryTiers(topics.sendsRetries(), properties.retry().tierDelays(), topics.sendsDlt.name(),
                deadLetterTemplate, clock, metrics);
    }

    /**
     * Writes a poll's outcomes (events, retry hand-overs) together once its last outcome is known,
     * off the consumer thread (which is already running the next poll's sends) and off the SDK and
     * Kafka I/O threads. One thread: a write is only a serialization and an append to the producer's
     * buffer.
     */
    @Bean(destroyMethod = "shutdown")
    ExecutorService sendsOutcomeWriter() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "dispatcher-outcomes");
            t.setDaemon(true);
            return t;
        });
    }

    @Bean
    SendsListener sendsListener(SendStrategy processor, OutcomePublisher publisher, SendGate gate,
            ConsumptionPauser pauser, Clock clock, RetryTiers retryTiers, ExecutorService sendsOutcomeWriter,
            SendLedger ledger, HeldSends heldSends, DispatcherProperties properties, SharedRateLimiter rateLimiter,
            MeterRegistry registry) {
        SendsListener listener = new SendsListener(new Polls(processor, new OutcomeWrites(publisher, retryTiers, heldSends),
                sendsOutcomeWriter, ledger), gate, pauser, clock, maxPollRecords(properties), rateLimiter::maxRecipientsPerCall);
        Gauge.builder("mailer.dispatcher.polls.outstanding.records", listener, SendsListener::outstandingRecords)
                .description("Records of the sends polls left outstanding (one poll, or 2 s of sending at the rate if more, "
                        + "at most 2 x max-poll-records)")
                .register(registry);
        return listener;
    }

    /**
     * An outstanding poll is normally finished by the next listener call; if no records come after
     * all (the lag seen was only transaction markers or aborted records), the idle event — published on
     * the consumer thread — finishes it once its outcomes are known.
     */
    @Bean
    ApplicationListener<ListenerContainerIdleEvent> sendsIdleListener(SendsListener listener, Topics topics) {
        return event -> {
            if (event.getConsumer() != null && event.getTopicPartitions() != null
                    && event.getTopicPartitions().stream().anyMatch(tp -> tp.topic().equals(topics.sends.name()))) {
                listener.idle(event.getConsumer());
            }
        };
    }

    /**
     * One container per retry tier (group {@code <prefix>dispatcher-retry}): a tier waiting for its
     * next due record pauses only itself. Values stay bytes: they are forwarded, not read. A failed
     * forward is retried without limit (a retry record must never be skipped).
     */
    @Bean
    RetryTierContainers retryTierContainers(KafkaProperties kafka, DispatcherProperties properties, Topics topics,
            KafkaTemplate<String, Object> deadLetterTemplate, Clock clock) {
        Map<String, Object> config = new HashMap<>(kafka.buildConsumerProperties());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId(topics) + "-retry");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        DefaultKafkaConsumerFactory<String, byte[]> factory = new DefaultKafkaConsumerFactory<>(config,
                new StringDeserializer(), new ByteArrayDeserializer());
        RetryTierListener listener = new RetryTierListener(topics.sends.name(), deadLetterTemplate, clock);
        List<ConcurrentMessageListenerContainer<String, byte[]>> containers = topics.sendsRetries().stream().map(tier -> {
            ContainerProperties container = new ContainerProperties(tier.name());
            container.setMessageListener(listener);
            container.setAckMode(ContainerProperties.AckMode.MANUAL_IMMEDIATE);
            container.setShutdownTimeout(Duration.ofSeconds(10).toMillis());
            ConcurrentMessageListenerContainer<String, byte[]> c = new ConcurrentMessageListenerContainer<>(factory,
                    container);
            c.setBeanName("retry-" + tier.name());
            c.setConcurrency(1);
            ExponentialBackOff backOff = new ExponentialBackOff(1_000, 2.0);
            backOff.setMaxInterval(30_000);
            c.setCommonErrorHandler(new DefaultErrorHandler(backOff));
            return c;
        }).toList();
        return new RetryTierContainers(containers);
    }

    @Bean
    ConcurrentMessageListenerContainer<String, SendRequest> sendsListenerContainer(
            DefaultKafkaConsumerFactory<String, SendRequest> sendsConsumerFactory, Topics topics,
            SendsListener listener, DefaultErrorHandler sendsErrorHandler, ConsumptionPauser pauser,
            SharedRateLimiter rateLimiter, SendLedger ledger, DispatcherProperties properties) {
        ContainerProperties container = new ContainerProperties(topics.sends.name());
        container.setConsumerRebalanceListener(new SendsRebalanceListener(topics.sends.name(), rateLimiter, ledger,
                properties.rate().ledgerCatchUp(), listener));
        // see sendsIdleListener
        container.setIdleEventInterval(IDLE_EVENT_INTERVAL.toMillis());
        container.setMessageListener(listener);
        // acknowledge() commits at once, on the consumer thread, after the events are durable
        container.setAckMode(ContainerProperties.AckMode.MANUAL_IMMEDIATE);
        // graceful shutdown: the poll in hand finishes (in-flight calls complete, waiting retries are
        // deferred) and its offsets are committed before the consumer closes
        container.setShutdownTimeout(Duration.ofSeconds(60).toMillis());
        ConcurrentMessageListenerContainer<String, SendRequest> c =
                new ConcurrentMessageListenerContainer<>(sendsConsumerFactory, container);
        // one consumer per instance: the whole poll is sent concurrently, WORKER_CONCURRENCY bounds it
        c.setConcurrency(1);
        c.setCommonErrorHandler(sendsErrorHandler);
        pauser.attach(c);
        return c;
    }

    static int maxPollRecords(DispatcherProperties properties) {
        Double rate = properties.ses().maxSendRate();
        if (rate == null) {
            return properties.maxPollRecords();
        }
        // at most ~30 s of sending per poll at the configured rate, far inside max.poll.interval.ms
        int byRate = (int) Math.max(1, Math.ceil(rate * 30));
        return Math.min(properties.maxPollRecords(), byRate);
    }

    private static Map<String, Object> reliableProducer(KafkaProperties kafka) {
        Map<String, Object> config = new HashMap<>(kafka.buildProducerProperties());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, RecordBudget.KAFKA_MAX_BYTES);
        return config;
    }

    private static String reason(Exception e) {
        PoisonRecordException poison = poison(e);
        String reason = poison != null ? poison.getMessage() : e.getMessage();
        return reason == null ? e.getClass().getSimpleName() : reason;
    }

    private static PoisonRecordException poison(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof PoisonRecordException p) {
                return p;
            }
        }
        return null;
    }

    /** The consumer group of every dispatcher replica. */
    static String groupId(Topics topics) {
        return topics.prefix() + "dispatcher";
    }
}
