package io.mailer.topology.reputation;

import io.mailer.schemas.reputation.ReputationPolicy;
import java.time.Duration;

/**
 * How the reputation guard measures and what it applies by default.
 *
 * @param window the time the rates look back ({@code REPUTATION_WINDOW}, 24 h)
 * @param windowSends the most recent sends the rates look back at, if fewer than the window's
 *        ({@code REPUTATION_WINDOW_SENDS}, 10,000)
 * @param buckets the window is kept as this many time buckets per tenant (96: 15 min each for 24 h);
 *        the bound of a tenant's state
 * @param dedupeHorizon how long an event id is remembered to drop redeliveries (6 h: SQS and the
 *        dispatcher redeliver within minutes)
 * @param publishInterval how often a tenant's moving rates are re-published (state changes are
 *        published at once)
 * @param defaults the policy of a tenant the operator has not given one
 */
public record ReputationSettings(Duration window, long windowSends, int buckets, Duration dedupeHorizon,
        Duration publishInterval, ReputationPolicy defaults) {

    public static final ReputationSettings DEFAULTS = new ReputationSettings(Duration.ofHours(24), 10_000, 96,
            Duration.ofHours(6), Duration.ofSeconds(1), ReputationPolicy.DEFAULTS);

    public long bucketMillis() {
        return Math.max(1, window.toMillis() / buckets);
    }
}
