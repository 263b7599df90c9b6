package io.mailer.ingress.batch;

import io.mailer.schemas.commands.BatchCommand;
import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.commands.RecipientEntry;
import io.mailer.schemas.kafka.Topics;
import java.time.Instant;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Writes a batch to {@code batch-commands} as chunk records in one Kafka transaction and
 * completes only once Kafka has acknowledged the commit — the 202 is a durable promise.
 */
@Component
class BatchSubmitter {

    private final KafkaTemplate<String, Object> kafka;
    private final Topics topics;

    public BatchSubmitter(KafkaTemplate<String, Object> mailerKafkaTemplate, Topics topics) {
        this.kafka = mailerKafkaTemplate;
        this.topics = topics;
    }

    /** A transaction that takes recipients one by one and sends a chunk record whenever one fills up. */
    public ChunkedBatchWriter open(String batchId, String tenantId, MessageContent message, int chunkSize, Instant now) {
        return new ChunkedBatchWriter(kafka.getProducerFactory().createProducer(), topics.batchCommands.name(),
                batchId, tenantId, message, chunkSize, now);
    }

    /** {@code sizes[i]}: the JSON size of {@code recipients[i]} (measured once, when validated). */
    public Mono<Void> submit(String batchId, String tenantId, MessageContent message, List<RecipientEntry> recipients,
            int[] sizes, int chunkSize, Instant now) {
        // the transactional producer API blocks; keep it off the event loop
        return Mono.fromRunnable(() -> {
                    try (ChunkedBatchWriter writer = open(batchId, tenantId, message, chunkSize, now).knownSizes(sizes)) {
                        for (int i = 0; i < recipients.size(); i++) {
                            writer.add(recipients.get(i), sizes[i]);
                        }
                        writer.commit(recipients.size());
                    }
                })
                .subscribeOn(Schedulers.boundedElastic())
                .onErrorMap(e -> !(e instanceof ResponseStatusException), BatchSubmitter::unavailable)
                .then();
    }

    /** Cancels a batch: the CANCEL command and the compacted cancellation record commit together. */
    public Mono<Void> cancel(BatchCommand.Cancel cancel, io.mailer.schemas.commands.BatchCancellation cancellation) {
        return Mono.fromRunnable(() -> kafka.executeInTransaction(ops -> {
                    ops.send(topics.batchCommands.name(), cancel.batchId(), cancel);
                    ops.send(topics.batchCancellations.name(), cancellation.batchId(), cancellation);
                    return null;
                }))
                .subscribeOn(Schedulers.boundedElastic())
                .onErrorMap(BatchSubmitter::unavailable)
                .then();
    }

    static ResponseStatusException unavailable(Throwable e) {
        return new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE,
                "The batch could not be written to Kafka; nothing was accepted. Retry with the same Idempotency-Key.", e);
    }
}
