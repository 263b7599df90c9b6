package io.mailer.ingress.batch;

import java.time.Instant;

/** Answer of {@code GET /api/v1/batches/{id}}; counts are milestones (see docs/architecture.md). */
public record BatchView(String id, String status, Instant createdAt, Counts counts) {

    public record Counts(long total, long queued, long suppressed, long sent, long delivered, long bounced,
            long complained, long failed, long cancelled) {
    }
}
