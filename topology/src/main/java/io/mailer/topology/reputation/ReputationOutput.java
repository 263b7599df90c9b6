package io.mailer.topology.reputation;

import io.mailer.schemas.reputation.TenantEvent;
import io.mailer.schemas.reputation.TenantState;

/** What the guard writes: the tenant's state (to the compacted topic) or a state change (public events). */
record ReputationOutput(TenantState state, TenantEvent event) {
}
