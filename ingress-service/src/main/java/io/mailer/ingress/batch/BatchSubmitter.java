package io.mailer.ingress.batch;

import io.mailer.ingress.system.IngressProperties;
import io.mailer.schemas.commands.BatchCommand;
import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.kafka.Topics;
import java.time.Instant;
import java.util.function.IntConsumer;
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
    private final int chunkSize;

    BatchSubmitter(KafkaTemplate<String, Object> mailerKafkaTemplate, Topics topics, IngressProperties props) {
        this.kafka = mailerKafkaTemplate;
        this.topics = topics;
        this.chunkSize = props.chunkSize();
    }

    /**
     * Writes a batch — JSON or NDJSON alike — into one Kafka transaction and returns how many
     * recipients it holds once the broker has the commit. Blocking: run it off the event loop.
     * {@code reserve} takes the recipients from the daily budget before anything is visible: before
     * the transaction when the source knows its size, else after the last recipient and before the
     * commit; {@code release} gives them back when the batch then fails. A failure of Kafka is a
     * 503 ({@link #unavailable}); an error of the source (a bad NDJSON line) aborts the transaction
     * and passes through as it is.
     */
    int write(String batchId, String tenantId, MessageContent message, Instant now, RecipientSource recipients,
            IntConsumer reserve, IntConsumer release) {
        int[] known = recipients.knownSizes();
        int reserved = 0;
        if (known != null) {
            reserve.accept(known.length);
            reserved = known.length;
        }
        try (ChunkedBatchWriter writer = open(batchId, tenantId, message, now, recipients)) {
            while (recipients.hasNext()) {
                RecipientSource.Sized recipient = recipients.next();
                try {
                    writer.add(recipient.entry(), recipient.bytes());
                } catch (RuntimeException e) {
                    throw unavailable(e);
                }
            }
            if (known == null) {
                reserve.accept(writer.count());
                reserved = writer.count();
            }
            try {
                writer.commit(writer.count());
            } catch (RuntimeException e) {
                throw unavailable(e);
            }
            return writer.count();
        } catch (RuntimeException e) {
            if (reserved > 0) {
                release.accept(reserved);
            }
            throw e;
        }
    }

    /** {@link #write} on a worker thread (the transactional producer API blocks). */
    Mono<Integer> submit(String batchId, String tenantId, MessageContent message, Instant now, RecipientSource recipients,
            IntConsumer reserve, IntConsumer release) {
        return Mono.fromCallable(() -> write(batchId, tenantId, message, now, recipients, reserve, release))
                .subscribeOn(Schedulers.boundedElastic());
    }

    /** A transaction that takes recipients one by one and sends a chunk record whenever one fills up. */
    private ChunkedBatchWriter open(String batchId, String tenantId, MessageContent message, Instant now,
            RecipientSource recipients) {
        try {
            ChunkedBatchWriter writer = new ChunkedBatchWriter(kafka.getProducerFactory().createProducer(),
                    topics.batchCommands.name(), batchId, tenantId, message, chunkSize, now).upperBound(recipients.upperBound());
            return recipients.knownSizes() == null ? writer : writer.knownSizes(recipients.knownSizes());
        } catch (RuntimeException e) {
            throw unavailable(e);
        }
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
