package io.mailer.dispatcher.system;

import io.mailer.dispatcher.send.SendGate;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Readiness contributor {@code sesAccount}: DOWN while SES says the account cannot send
 * (SendingPaused, AccountSuspended, quota), so operators and alerts see the pause; the dispatcher
 * itself keeps running and retries SES when the pause ends.
 */
@Component("sesAccount")
class SesAccountHealthIndicator implements HealthIndicator {

    private final SendGate gate;

    public SesAccountHealthIndicator(SendGate gate) {
        this.gate = gate;
    }

    @Override
    public Health health() {
        return gate.pauseReason()
                .map(reason -> Health.down().withDetail("reason", reason)
                        .withDetail("pausedUntil", gate.pausedUntil().toString()).build())
                .orElseGet(() -> Health.up().build());
    }
}
