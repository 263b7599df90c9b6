package io.mailer.feedback.intake.pipeline;

import java.time.Instant;

/** How many soft bounces a recipient of a tenant had in a time window. */
@FunctionalInterface
interface SoftBounceHistory {

    /** Soft bounces of (tenant, email) with from &lt; occurredAt &lt;= to, not counting {@code exceptEventId}. */
    int count(String tenantId, String email, Instant from, Instant to, String exceptEventId);
}
