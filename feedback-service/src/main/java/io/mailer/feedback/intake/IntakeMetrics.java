package io.mailer.feedback.intake;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.mailer.schemas.events.EventType;

/**
 * Intake counters. Prometheus names: {@code mailer_feedback_events_total{type}} (events published,
 * by delivery-event type), {@code mailer_feedback_quarantined_total{reason}},
 * {@code mailer_feedback_ignored_total{what}} and {@code mailer_feedback_receive_errors_total}.
 * Counted only once Kafka acknowledged, so the figures match the topics.
 */
public final class IntakeMetrics {

    private final MeterRegistry registry;

    public IntakeMetrics(MeterRegistry registry) {
        this.registry = registry;
        // pre-register so dashboards see zeros rather than gaps
        for (QuarantineReason r : QuarantineReason.values()) {
            quarantineCounter(r);
        }
    }

    void published(EventType type) {
        Counter.builder("mailer.feedback.events").description("SES events published to delivery-events")
                .tag("type", type.name()).register(registry).increment();
    }

    void quarantined(QuarantineReason reason) {
        quarantineCounter(reason).increment();
    }

    void ignored(String what) {
        Counter.builder("mailer.feedback.ignored").description("SQS messages deleted with nothing to record")
                .tag("what", what).register(registry).increment();
    }

    void receiveError() {
        Counter.builder("mailer.feedback.receive.errors").description("failed SQS receive or delete calls")
                .register(registry).increment();
    }

    void visibilityExtended(int messages) {
        Counter.builder("mailer.feedback.visibility.extended")
                .description("SQS messages whose visibility was extended while in work").register(registry)
                .increment(messages);
    }

    private Counter quarantineCounter(QuarantineReason reason) {
        return Counter.builder("mailer.feedback.quarantined")
                .description("SQS messages diverted to the feedback-quarantine topic")
                .tag("reason", reason.tag()).register(registry);
    }
}
