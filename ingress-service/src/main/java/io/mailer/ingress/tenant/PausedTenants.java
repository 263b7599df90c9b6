package io.mailer.ingress.tenant;

import io.mailer.schemas.reputation.ReputationPolicy;
import io.mailer.schemas.reputation.TenantState;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;

/**
 * What a new batch of a PAUSED tenant gets, by the tenant's reputation policy: accepted with a
 * warning (its sends will be held until an operator resumes the tenant) or refused with 409. Other
 * states submit as usual. Read from this replica's view of {@code tenant-states}: a pause applies
 * here within the view's lag (≈ 100 ms); the dispatcher holds the sends whatever ingress answered.
 */
@Component
public class PausedTenants {

    private final TenantStatesView states;

    PausedTenants(TenantStatesView states) {
        this.states = states;
    }

    /** The warning for the 202, or empty; throws 409 when the tenant's policy refuses batches while paused. */
    public Optional<String> checkSubmit(String tenantId) {
        Optional<TenantState> state = states.get(tenantId).filter(TenantState::paused);
        if (state.isEmpty()) {
            return Optional.empty();
        }
        TenantState s = state.get();
        if (s.policy() != null && s.policy().pausedSubmissions() == ReputationPolicy.PausedSubmissions.REFUSE) {
            throw new ResponseStatusException(HttpStatus.CONFLICT, "Tenant " + tenantId + " is paused by the reputation guard since "
                    + s.since() + " (" + s.reason() + "); new batches are refused until an operator resumes it.");
        }
        return Optional.of("tenant-paused: sending is paused since " + s.since() + " (" + s.reason()
                + "); this batch is accepted and its sends are held until an operator resumes the tenant");
    }
}
