package io.mailer.feedback.intake.pipeline;

import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.EventType;
import io.mailer.schemas.events.Suppression;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The transient-bounce policy: a recipient that soft-bounces {@code threshold} times within
 * {@code window} (this bounce included) is suppressed with reason BOUNCE, the suppression's source
 * being the soft bounce that reached the threshold. Deterministic for a given history, so a
 * redelivered notification yields the same suppression (the current event is excluded from the
 * history count by id). A threshold of 0 switches the policy off.
 */
final class SoftBounceSuppressor {

    private final int threshold;
    private final Duration window;
    private final SoftBounceHistory history;

    public SoftBounceSuppressor(int threshold, Duration window, SoftBounceHistory history) {
        this.threshold = threshold;
        this.window = window;
        this.history = history;
    }

    public List<Suppression> suppressionsFor(List<DeliveryEvent> events) {
        List<Suppression> out = new ArrayList<>();
        if (threshold <= 0) {
            return out;
        }
        for (DeliveryEvent e : events) {
            if (e.type() != EventType.SOFT_BOUNCED) {
                continue;
            }
            int earlier = threshold == 1 ? 0 : history.count(e.tenantId(), e.email(),
                    e.occurredAt().minus(window), e.occurredAt(), e.eventId());
            if (earlier + 1 >= threshold) {
                out.add(new Suppression(e.tenantId(), e.email(), Suppression.Reason.BOUNCE, e.eventId(), e.occurredAt()));
            }
        }
        return out;
    }
}
