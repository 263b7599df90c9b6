package io.mailer.ingress.batch;

import java.time.Instant;

/**
 * Answer of {@code GET /api/v1/batches/{id}}; counts are milestones (see docs/architecture.md).
 * {@code from} is the message's From as submitted (null: the service's MAIL_FROM) — {@code mailerctl
 * doctor} checks the SES identities recent batches used.
 */
record BatchView(String id, String status, Instant createdAt, Counts counts, String from) {

    public record Counts(long total, long queued, long suppressed, long sent, long delivered, long bounced,
            long complained, long failed, long cancelled) {
    }
}
