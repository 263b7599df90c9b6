package io.mailer.ingress.system;

import io.mailer.schemas.kafka.Topics;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import reactor.core.scheduler.Schedulers;

/**
 * Opens a few transactional producers once the service is up, so that no request pays for
 * {@code initTransactions} and the first metadata fetch (hundreds of ms, seen in the JSON p99),
 * and so that consecutive batches rotate over several producers: the factory's cache hands them
 * out oldest first, so one producer's next transaction starts well after its previous commit's
 * markers are written (which is what avoids CONCURRENT_TRANSACTIONS retries, see KafkaConfig).
 * More are still created on demand when more requests are in flight. Best effort: if Kafka is
 * not reachable yet, producers are created lazily as before.
 */
@Component
class ProducerWarmup {

    static final int PRODUCERS = 4;
    private static final Logger log = LoggerFactory.getLogger(ProducerWarmup.class);

    private final KafkaTemplate<String, Object> kafka;
    private final Topics topics;

    ProducerWarmup(KafkaTemplate<String, Object> mailerKafkaTemplate, Topics topics) {
        this.kafka = mailerKafkaTemplate;
        this.topics = topics;
    }

    @EventListener(ApplicationReadyEvent.class)
    void warmUp() {
        Schedulers.boundedElastic().schedule(this::openProducers);
    }

    void openProducers() {
        List<Producer<String, Object>> opened = new ArrayList<>();
        try {
            for (int i = 0; i < PRODUCERS; i++) {
                Producer<String, Object> producer = kafka.getProducerFactory().createProducer();
                opened.add(producer);
                producer.partitionsFor(topics.batchCommands.name()); // metadata, so the first send does not wait for it
            }
        } catch (RuntimeException e) {
            log.warn("Could not open Kafka producers ahead of the first request ({}); they will be opened on demand", e.toString());
        } finally {
            opened.forEach(Producer::close); // back into the factory's cache
        }
    }
}
