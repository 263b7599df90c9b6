package io.mailer.schemas.reputation;

/**
 * The thresholds the reputation guard applies to one tenant. Rates are fractions (0.05 = 5 %).
 * Bounce rate = hard (permanent) bounces / sends; complaint rate = complaints / deliveries, both
 * over the tenant's window. A rate counts only once the window holds {@code minSends} sends
 * (bounces) or {@code minDeliveries} deliveries (complaints): a handful of events is no evidence.
 *
 * @param throttleBounceRate at or above: THROTTLED
 * @param pauseBounceRate at or above: PAUSED
 * @param throttleComplaintRate at or above: THROTTLED
 * @param pauseComplaintRate at or above: PAUSED
 * @param minSends sends in the window before the bounce rate is acted on
 * @param minDeliveries deliveries in the window before the complaint rate is acted on
 * @param throttleShare fraction of its normal SES rate a THROTTLED tenant may use (0 < share ≤ 1)
 * @param pausedSubmissions what ingress does with a new batch of a PAUSED tenant
 */
public record ReputationPolicy(double throttleBounceRate, double pauseBounceRate, double throttleComplaintRate,
        double pauseComplaintRate, long minSends, long minDeliveries, double throttleShare,
        PausedSubmissions pausedSubmissions) {

    /** New batches of a PAUSED tenant: accepted (202, held with a warning) or refused (409). */
    public enum PausedSubmissions {
        ACCEPT, REFUSE
    }

    /**
     * Defaults: pause at SES's review thresholds (5 % bounces, 0.1 % complaints) — one tenant there
     * is a tenant SES would review an account for; throttle at half of them.
     */
    public static final ReputationPolicy DEFAULTS = new ReputationPolicy(0.025, 0.05, 0.0005, 0.001, 200, 1000, 0.25,
            PausedSubmissions.ACCEPT);

    public ReputationPolicy {
        if (pausedSubmissions == null) {
            pausedSubmissions = PausedSubmissions.ACCEPT;
        }
    }

    /** Why the policy is not usable, or null when it is. */
    public String problem() {
        if (!rate(throttleBounceRate) || !rate(pauseBounceRate) || !rate(throttleComplaintRate) || !rate(pauseComplaintRate)) {
            return "rates must be between 0 (exclusive) and 1 (inclusive)";
        }
        if (throttleBounceRate > pauseBounceRate || throttleComplaintRate > pauseComplaintRate) {
            return "a throttle rate must not be above its pause rate";
        }
        if (minSends < 1 || minDeliveries < 1) {
            return "minSends and minDeliveries must be at least 1";
        }
        if (!(throttleShare > 0 && throttleShare <= 1)) {
            return "throttleShare must be above 0 and at most 1";
        }
        return null;
    }

    private static boolean rate(double r) {
        return r > 0 && r <= 1;
    }
}
