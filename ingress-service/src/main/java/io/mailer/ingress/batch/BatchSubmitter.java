package io.mailer.ingress.batch;

import io.mailer.schemas.commands.BatchCommand;
import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.commands.RecipientEntry;
import java.time.Instant;
import java.util.ArrayList;
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
public class BatchSubmitter {

    private final KafkaTemplate<String, BatchCommand> kafka;

    public BatchSubmitter(KafkaTemplate<String, BatchCommand> batchCommandTemplate) {
        this.kafka = batchCommandTemplate;
    }

    public Mono<Void> submit(String batchId, String tenantId, MessageContent message, List<RecipientEntry> recipients,
            int chunkSize, Instant now) {
        List<BatchCommand> chunks = chunk(batchId, tenantId, message, recipients, chunkSize, now);
        // the transactional producer API blocks; keep it off the event loop
        return Mono.fromRunnable(() -> kafka.executeInTransaction(ops -> {
                    chunks.forEach(chunk -> ops.sendDefault(batchId, chunk));
                    return null;
                }))
                .subscribeOn(Schedulers.boundedElastic())
                .onErrorMap(e -> new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE,
                        "The batch could not be written to Kafka; nothing was accepted. Retry with the same Idempotency-Key.", e))
                .then();
    }

    static List<BatchCommand> chunk(String batchId, String tenantId, MessageContent message,
            List<RecipientEntry> recipients, int chunkSize, Instant now) {
        int total = recipients.size();
        int chunkCount = (total + chunkSize - 1) / chunkSize;
        List<BatchCommand> chunks = new ArrayList<>(chunkCount);
        for (int c = 0; c < chunkCount; c++) {
            int from = c * chunkSize;
            List<RecipientEntry> part = recipients.subList(from, Math.min(total, from + chunkSize));
            chunks.add(BatchCommand.submitChunk(batchId, tenantId, c, chunkCount, from, total, message, part, now));
        }
        return chunks;
    }
}
