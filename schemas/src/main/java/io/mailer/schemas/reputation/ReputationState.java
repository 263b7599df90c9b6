package io.mailer.schemas.reputation;

/**
 * A tenant's sending state under the reputation guard. ACTIVE sends at its full share; THROTTLED
 * sends at {@link ReputationPolicy#throttleShare()} of it; PAUSED has its sends held (parked on
 * {@code sends-held}, released in order when an operator resumes the tenant).
 */
public enum ReputationState {
    ACTIVE, THROTTLED, PAUSED
}
