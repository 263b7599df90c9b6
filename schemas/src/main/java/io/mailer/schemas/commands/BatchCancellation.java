package io.mailer.schemas.commands;

import java.time.Instant;

/**
 * A record of the compacted {@code batch-cancellations} topic, keyed by batch id: the shared view
 * of cancelled batches. Ingress writes it in the same transaction as the CANCEL command; the
 * dispatcher reads it to skip sends of a cancelled batch that are already in {@code sends}.
 */
public record BatchCancellation(String batchId, String tenantId, Instant cancelledAt) {
}
