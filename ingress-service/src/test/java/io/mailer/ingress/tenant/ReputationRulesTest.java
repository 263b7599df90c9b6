package io.mailer.ingress.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailer.ingress.web.ValidationException;
import io.mailer.schemas.reputation.ReputationPolicy;
import org.junit.jupiter.api.Test;

/** The reputation part of PUT /admin/tenants/{id}/policy: a partial object over the tenant's current policy. */
class ReputationRulesTest {

    @Test
    void shouldKeepWhatTheRequestLeavesOutFromTheCurrentPolicy() {
        ReputationPolicy current = new ReputationPolicy(0.02, 0.04, 0.0005, 0.001, 300, 1000, 0.5,
                ReputationPolicy.PausedSubmissions.ACCEPT);

        ReputationPolicy merged = ReputationRules.merged(new TenantController.ReputationRequest(null, 0.08, null, null, null,
                null, null, "refuse"), current);

        assertThat(merged).isEqualTo(new ReputationPolicy(0.02, 0.08, 0.0005, 0.001, 300, 1000, 0.5,
                ReputationPolicy.PausedSubmissions.REFUSE));
    }

    @Test
    void shouldStartFromTheDefaultsForATenantWithoutState() {
        assertThat(ReputationRules.merged(new TenantController.ReputationRequest(null, null, null, null, 500L, null, null,
                null), null)).isEqualTo(new ReputationPolicy(0.025, 0.05, 0.0005, 0.001, 500, 1000, 0.25,
                ReputationPolicy.PausedSubmissions.ACCEPT));
    }

    @Test
    void shouldRefuseAThrottleAbovePauseARateOutOfRangeOrAnUnknownChoice() {
        assertThatThrownBy(() -> ReputationRules.merged(new TenantController.ReputationRequest(0.06, null, null, null, null,
                null, null, null), null)).isInstanceOf(ValidationException.class).hasMessageContaining("reputation");
        assertThatThrownBy(() -> ReputationRules.merged(new TenantController.ReputationRequest(null, 1.5, null, null, null,
                null, null, null), null)).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> ReputationRules.merged(new TenantController.ReputationRequest(null, null, null, null, null,
                null, 0.0, null), null)).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> ReputationRules.merged(new TenantController.ReputationRequest(null, null, null, null, null,
                null, null, "maybe"), null)).isInstanceOf(ValidationException.class);
    }
}
