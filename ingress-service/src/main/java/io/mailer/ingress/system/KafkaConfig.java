package io.mailer.ingress.system;

import io.mailer.platform.kafka.TopicsConfiguration;
import io.mailer.platform.settings.KafkaClusterHealth;
import io.mailer.schemas.kafka.Topics;
import io.mailer.platform.settings.ProbePathsFilter;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import io.mailer.schemas.limits.RecordBudget;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.core.KafkaTemplate;

@Configuration
@Import(TopicsConfiguration.class)
class KafkaConfig {

    static final int RETRY_BACKOFF_MS = 10;

    /** Readiness contributor "kafka". */
    @Bean("kafka")
    public KafkaClusterHealth kafkaHealth(KafkaProperties kafka) {
        return new KafkaClusterHealth(kafka.buildAdminProperties());
    }


    /** Liveness and readiness at the deployment guide's paths. */
    @Bean
    public ProbePathsFilter probePathsFilter() {
        return new ProbePathsFilter();
    }

    /**
     * Closes the transactional producers the factory caches when the context closes (graceful
     * shutdown: after the web server has finished its requests). The template's own destroy() closes
     * only factories it created itself, so without this each stopped context left its producers
     * running — in one test JVM, reconnecting to brokers that were long gone.
     */
    @Bean
    public DisposableBean mailerProducersCloser(KafkaTemplate<String, Object> mailerKafkaTemplate) {
        return () -> {
            if (mailerKafkaTemplate.getProducerFactory() instanceof DefaultKafkaProducerFactory<?, ?> factory) {
                factory.destroy();
            }
        };
    }

    /**
     * Transactional producer for every topic ingress writes (batch commands, cancellations,
     * suppressions): all chunks of one batch commit together or not at all, so a failed submission
     * never leaves half a batch for the topology (which reads read_committed).
     */
    @Bean
    public KafkaTemplate<String, Object> mailerKafkaTemplate(KafkaProperties kafka, Topics topics) {
        Map<String, Object> config = new HashMap<>(kafka.buildProducerProperties());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        // the pipeline's budget: ingress closes chunks under RecordBudget.MAX_RECORD_BYTES, and a
        // larger request limit here is how a 1.2 MB chunk once reached a topic nobody could copy it from
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, RecordBudget.KAFKA_MAX_BYTES);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        // With transactions v2 (Kafka 4 brokers) the first record of a transaction is refused with
        // CONCURRENT_TRANSACTIONS while the broker still writes the previous transaction's markers,
        // and the producer retries after retry.backoff.ms: the 100 ms default (then 200, 400 ms...)
        // was the JSON p99. Retry after 10 ms instead (still exponential, capped at 1 s).
        config.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, RETRY_BACKOFF_MS);
        DefaultKafkaProducerFactory<String, Object> factory = new DefaultKafkaProducerFactory<>(config,
                new StringSerializer(), new TopicValueSerializer(topics));
        // unique per instance: replicas must not fence each other's transactions
        factory.setTransactionIdPrefix(topics.prefix() + "ingress-" + UUID.randomUUID() + "-");
        KafkaTemplate<String, Object> template = new KafkaTemplate<>(factory);
        template.setDefaultTopic(topics.batchCommands.name());
        return template;
    }
}
