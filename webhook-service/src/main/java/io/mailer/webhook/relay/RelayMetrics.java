package io.mailer.webhook.relay;

import io.mailer.schemas.webhooks.WebhookMessage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The relay's meters: {@code mailer.webhook.attempts{outcome}}, {@code mailer.webhook.delivered},
 * {@code mailer.webhook.delivery.delay} (oldest message of a request created → delivered), {@code mailer.webhook.parked},
 * {@code mailer.webhook.given.up}, {@code mailer.webhook.dropped}, {@code mailer.webhook.endpoints.disabled{reason}},
 * {@code mailer.webhook.in.memory}, {@code mailer.webhook.records.skipped}.
 */
public final class RelayMetrics {

    private final MeterRegistry registry;
    private final Clock clock;
    private final Counter delivered;
    private final Counter parked;
    private final Counter givenUp;
    private final Counter dropped;
    private final Counter skipped;
    private final Timer delay;

    public RelayMetrics(MeterRegistry registry, Clock clock, AtomicInteger inMemory) {
        this.registry = registry;
        this.clock = clock;
        delivered = registry.counter("mailer.webhook.delivered");
        parked = registry.counter("mailer.webhook.parked");
        givenUp = registry.counter("mailer.webhook.given.up");
        dropped = registry.counter("mailer.webhook.dropped");
        skipped = registry.counter("mailer.webhook.records.skipped");
        delay = Timer.builder("mailer.webhook.delivery.delay").publishPercentiles(0.5, 0.99).register(registry);
        registry.gauge("mailer.webhook.in.memory", inMemory);
    }

    void attempt(Attempt a) {
        String outcome = a.delivered() ? "2xx" : a.status() == 0 ? "no-answer" : a.status() / 100 + "xx";
        registry.counter("mailer.webhook.attempts", "outcome", outcome).increment();
    }

    /** A request delivered {@code events}; the delay is its oldest event's (one timer sample per request). */
    void delivered(int events, WebhookMessage oldest) {
        delivered.increment(events);
        if (oldest.createdAt() != null) {
            delay.record(Duration.between(oldest.createdAt(), clock.instant()));
        }
    }

    void parked() {
        parked.increment();
    }

    void givenUp() {
        givenUp.increment();
    }

    void dropped() {
        dropped.increment();
    }

    void skipped() {
        skipped.increment();
    }

    void disabled(String reason) {
        registry.counter("mailer.webhook.endpoints.disabled", "reason", reason).increment();
    }

    public double deliveredCount() {
        return delivered.count();
    }
}
