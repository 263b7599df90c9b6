package io.mailer.topology.reputation;

import io.mailer.schemas.reputation.ReputationPolicy;
import io.mailer.schemas.reputation.ReputationState;
import io.mailer.schemas.reputation.WindowCounts;
import java.util.Locale;

/**
 * The policy as a pure function: the state a tenant should be in, given its current state and
 * window. PAUSED is left only by an operator's resume (never by the rates: the sends that would
 * lower them are the held ones). THROTTLED is left once both rates are below 80 % of their throttle
 * thresholds, so a tenant at the edge does not flap.
 */
final class ReputationRules {

    static final double HYSTERESIS = 0.8;

    public record Decision(ReputationState state, String reason) {
    }

    private ReputationRules() {
    }

    public static Decision decide(ReputationState current, WindowCounts w, ReputationPolicy p) {
        if (current == ReputationState.PAUSED) {
            return null;
        }
        boolean bounceCounts = w.sends() >= p.minSends();
        boolean complaintCounts = w.deliveries() >= p.minDeliveries();
        double br = w.bounceRate();
        double cr = w.complaintRate();
        if (bounceCounts && br >= p.pauseBounceRate()) {
            return new Decision(ReputationState.PAUSED, reason("bounce-rate", br, p.pauseBounceRate(), w.sends(), "sends"));
        }
        if (complaintCounts && cr >= p.pauseComplaintRate()) {
            return new Decision(ReputationState.PAUSED,
                    reason("complaint-rate", cr, p.pauseComplaintRate(), w.deliveries(), "deliveries"));
        }
        if (bounceCounts && br >= p.throttleBounceRate()) {
            return current == ReputationState.THROTTLED ? null
                    : new Decision(ReputationState.THROTTLED, reason("bounce-rate", br, p.throttleBounceRate(), w.sends(), "sends"));
        }
        if (complaintCounts && cr >= p.throttleComplaintRate()) {
            return current == ReputationState.THROTTLED ? null
                    : new Decision(ReputationState.THROTTLED,
                            reason("complaint-rate", cr, p.throttleComplaintRate(), w.deliveries(), "deliveries"));
        }
        if (current == ReputationState.THROTTLED && br < HYSTERESIS * p.throttleBounceRate()
                && cr < HYSTERESIS * p.throttleComplaintRate()) {
            return new Decision(ReputationState.ACTIVE, String.format(Locale.ROOT,
                    "rates below %.0f %% of the throttle thresholds (bounce %.4f, complaint %.5f)", HYSTERESIS * 100, br, cr));
        }
        return null;
    }

    private static String reason(String what, double rate, double threshold, long count, String unit) {
        return String.format(Locale.ROOT, "%s %.4f >= %s over %d %s", what, rate, threshold, count, unit);
    }
}
