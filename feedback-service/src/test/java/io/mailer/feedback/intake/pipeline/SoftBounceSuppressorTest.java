package io.mailer.feedback.intake.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.EventType;
import io.mailer.schemas.events.Suppression;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The transient-bounce policy: N soft bounces within M days (this one included) suppress. */
class SoftBounceSuppressorTest {

    private static final Instant AT = Instant.parse("2026-11-20T10:00:00Z");

    private record Query(String tenant, String email, Instant from, Instant to, String except) {
    }

    private static DeliveryEvent event(String id, EventType type) {
        return new DeliveryEvent(id, type, "b-1", "b", "acme", 1, "a@example.com", AT, "ses-1", "Transient/MailboxFull",
                Map.of());
    }

    @Test
    void shouldSuppressWhenThisSoftBounceReachesTheThresholdWithinTheWindow() {
        List<Query> queries = new ArrayList<>();
        SoftBounceSuppressor policy = new SoftBounceSuppressor(3, Duration.ofDays(7), (t, e, from, to, except) -> {
            queries.add(new Query(t, e, from, to, except));
            return 2;
        });
        List<Suppression> out = policy.suppressionsFor(List.of(event("ev-3", EventType.SOFT_BOUNCED),
                event("ev-d", EventType.DELIVERED)));
        assertThat(out).containsExactly(new Suppression("acme", "a@example.com", Suppression.Reason.BOUNCE, "ev-3", AT));
        assertThat(queries).containsExactly(new Query("acme", "a@example.com", AT.minus(Duration.ofDays(7)), AT, "ev-3"));
    }

    @Test
    void shouldNotSuppressBelowTheThresholdNorWhenDisabled() {
        SoftBounceSuppressor below = new SoftBounceSuppressor(3, Duration.ofDays(7), (t, e, f, to, x) -> 1);
        SoftBounceSuppressor disabled = new SoftBounceSuppressor(0, Duration.ofDays(7), (t, e, f, to, x) -> 99);
        assertThat(below.suppressionsFor(List.of(event("ev-2", EventType.SOFT_BOUNCED)))).isEmpty();
        assertThat(disabled.suppressionsFor(List.of(event("ev-9", EventType.SOFT_BOUNCED)))).isEmpty();
    }
}
