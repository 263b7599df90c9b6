package io.mailer.ingress.suppression;

import io.mailer.schemas.events.Suppression;
import io.mailer.schemas.kafka.Topics;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Writes suppressions to the compacted {@code suppressions} topic, the source of truth: the
 * topology filters on it at once and the projector mirrors it into the {@code suppression} table.
 * A tombstone (null value) removes one.
 */
@Component
public class SuppressionWriter {

    private final KafkaTemplate<String, Object> kafka;
    private final Topics topics;

    public SuppressionWriter(KafkaTemplate<String, Object> mailerKafkaTemplate, Topics topics) {
        this.kafka = mailerKafkaTemplate;
        this.topics = topics;
    }

    /** All records in one transaction: a bulk import is applied whole or not at all. */
    public Mono<Void> put(List<Suppression> suppressions) {
        return write(() -> kafka.executeInTransaction(ops -> {
            suppressions.forEach(s -> ops.send(topics.suppressions.name(), s.key(), s));
            return null;
        }));
    }

    public Mono<Void> remove(String tenantId, String email) {
        return write(() -> kafka.executeInTransaction(ops -> ops.send(topics.suppressions.name(),
                Suppression.key(tenantId, email), null)));
    }

    private static Mono<Void> write(Runnable send) {
        return Mono.fromRunnable(send)
                .subscribeOn(Schedulers.boundedElastic())
                .onErrorMap(e -> new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE,
                        "The suppression could not be written to Kafka; retry shortly.", e))
                .then();
    }
}
