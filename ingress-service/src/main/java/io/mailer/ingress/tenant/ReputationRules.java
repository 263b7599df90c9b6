package io.mailer.ingress.tenant;

import io.mailer.ingress.web.Problems.FieldProblem;
import io.mailer.ingress.web.ValidationException;
import io.mailer.schemas.reputation.ReputationPolicy;
import java.util.List;
import java.util.Locale;

/** The reputation part of {@code PUT /admin/tenants/{id}/policy}: fields left out keep their current values. */
final class ReputationRules {

    private ReputationRules() {
    }

    static ReputationPolicy merged(TenantController.ReputationRequest r, ReputationPolicy current) {
        ReputationPolicy c = current == null ? ReputationPolicy.DEFAULTS : current;
        ReputationPolicy.PausedSubmissions paused = c.pausedSubmissions();
        if (r.pausedSubmissions() != null) {
            try {
                paused = ReputationPolicy.PausedSubmissions.valueOf(r.pausedSubmissions().trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ValidationException(List.of(new FieldProblem("reputation.pausedSubmissions", "must be ACCEPT or REFUSE")));
            }
        }
        ReputationPolicy p = new ReputationPolicy(
                r.throttleBounceRate() == null ? c.throttleBounceRate() : r.throttleBounceRate(),
                r.pauseBounceRate() == null ? c.pauseBounceRate() : r.pauseBounceRate(),
                r.throttleComplaintRate() == null ? c.throttleComplaintRate() : r.throttleComplaintRate(),
                r.pauseComplaintRate() == null ? c.pauseComplaintRate() : r.pauseComplaintRate(),
                r.minSends() == null ? c.minSends() : r.minSends(),
                r.minDeliveries() == null ? c.minDeliveries() : r.minDeliveries(),
                r.throttleShare() == null ? c.throttleShare() : r.throttleShare(),
                paused);
        String problem = p.problem();
        if (problem != null) {
            throw new ValidationException(List.of(new FieldProblem("reputation", problem)));
        }
        return p;
    }
}
