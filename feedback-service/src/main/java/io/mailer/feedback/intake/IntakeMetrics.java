package io.mailer.feedback.intake;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mailer.schemas.events.EventType;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * Intake counters. Prometheus names: {@code mailer_feedback_events_total{type}} (events published,
 * by delivery-event type), {@code mailer_feedback_quarantined_total{reason}},
 * {@code mailer_feedback_ignored_total{what}} and {@code mailer_feedback_receive_errors_total}.
 * Counted only once Kafka acknowledged, so the figures match the topics. Back-pressure:
 * {@code mailer_feedback_in_flight} (messages received and not yet settled) and
 * {@code mailer_feedback_poller_room_wait_seconds_total} (time the pollers spent waiting for room
 * under {@code SQS_MAX_IN_FLIGHT}; rising while SQS has a backlog means the limit, or Kafka behind
 * it, is what holds the intake back).
 */
public final class IntakeMetrics {

    private final MeterRegistry registry;
    // built once: a builder-and-register per event is a registry lookup on the hot path
    private final Map<EventType, Counter> published = new ConcurrentHashMap<>();
    private final Map<QuarantineReason, Counter> quarantined = new EnumMap<>(QuarantineReason.class);
    private final Map<String, Counter> ignored = new ConcurrentHashMap<>();
    private final Counter receiveErrors;
    private final Counter visibilityExtended;
    private final LongAdder roomWaitNanos = new LongAdder();

    public IntakeMetrics(MeterRegistry registry) {
        this.registry = registry;
        // quarantine reasons are registered up front so dashboards see zeros rather than gaps
        for (QuarantineReason r : QuarantineReason.values()) {
            quarantined.put(r, Counter.builder("mailer.feedback.quarantined")
                    .description("SQS messages diverted to the feedback-quarantine topic").tag("reason", r.tag())
                    .register(registry));
        }
        receiveErrors = Counter.builder("mailer.feedback.receive.errors")
                .description("failed SQS receive or delete calls").register(registry);
        visibilityExtended = Counter.builder("mailer.feedback.visibility.extended")
                .description("SQS messages whose visibility was extended while in work").register(registry);
        FunctionCounter.builder("mailer.feedback.poller.room.wait", roomWaitNanos,
                        n -> n.doubleValue() / TimeUnit.SECONDS.toNanos(1))
                .description("seconds SQS pollers waited for room under SQS_MAX_IN_FLIGHT").baseUnit("seconds")
                .register(registry);
    }

    /** Registers the gauge of messages received and not yet settled. */
    public void inFlight(IntSupplier messages) {
        // a strong reference: Micrometer holds a gauge's state weakly, and nothing else keeps this lambda
        Gauge.builder("mailer.feedback.in.flight", messages, IntSupplier::getAsInt).strongReference(true)
                .description("SQS messages received and not yet deleted or left for redelivery").register(registry);
    }

    public void roomWaited(long nanos) {
        roomWaitNanos.add(nanos);
    }

    public void published(EventType type) {
        published.computeIfAbsent(type, t -> Counter.builder("mailer.feedback.events")
                .description("SES events published to delivery-events").tag("type", t.name()).register(registry))
                .increment();
    }

    public void quarantined(QuarantineReason reason) {
        quarantined.get(reason).increment();
    }

    public void ignored(String what) {
        ignored.computeIfAbsent(what, w -> Counter.builder("mailer.feedback.ignored")
                .description("SQS messages deleted with nothing to record").tag("what", w).register(registry))
                .increment();
    }

    public void receiveError() {
        receiveErrors.increment();
    }

    public void visibilityExtended(int messages) {
        visibilityExtended.increment(messages);
    }
}
