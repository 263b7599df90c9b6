package io.mailer.dispatcher.kafka;

import io.mailer.dispatcher.send.SendOutcome;
import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.EventType;
import io.mailer.schemas.events.Ids;
import io.mailer.schemas.events.SendRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * Writes a send's final outcome to {@code delivery-events}, keyed by send id, through an
 * idempotent acks=all producer. Event ids are deterministic ({@code <sendId>:SENT}), so a
 * redelivered send that is written twice is deduplicated downstream.
 */
final class OutcomePublisher {

    private final KafkaTemplate<String, DeliveryEvent> template;
    private final String topic;
    private final Clock clock;
    private final Duration timeout;

    public OutcomePublisher(KafkaTemplate<String, DeliveryEvent> template, String topic, Clock clock,
            Duration timeout) {
        this.template = template;
        this.topic = topic;
        this.clock = clock;
        this.timeout = timeout;
    }

    /** Starts writing the event of a final outcome; a {@link SendOutcome.Deferred} has none. */
    public CompletableFuture<?> publish(SendRequest send, SendOutcome outcome) {
        DeliveryEvent event = toEvent(send, outcome, clock);
        if (event == null) {
            return CompletableFuture.completedFuture(null);
        }
        return template.send(topic, send.sendId(), event);
    }

    /** Waits until Kafka acknowledged every write; only then may the sends be acknowledged. */
    public void awaitAll(CompletableFuture<?> writes) {
        try {
            writes.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("delivery events not acknowledged by Kafka", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing delivery events", e);
        }
    }

    static DeliveryEvent toEvent(SendRequest send, SendOutcome outcome, Clock clock) {
        // Java 17: no pattern switch yet
        if (outcome instanceof SendOutcome.Sent sent) {
            return event(EventType.SENT, send, clock, sent.sesMessageId(), null, sent.attempts());
        }
        if (outcome instanceof SendOutcome.Failed failed) {
            return event(EventType.FAILED, send, clock, null, failed.reason(), failed.attempts());
        }
        if (outcome instanceof SendOutcome.Cancelled) {
            return event(EventType.CANCELLED, send, clock, null, "batch-cancelled", 0);
        }
        return null;
    }

    private static DeliveryEvent event(EventType type, SendRequest send, Clock clock, String sesMessageId,
            String reason, int attempts) {
        return DeliveryEvent.pipelineOutcome(type, send, clock.instant(), sesMessageId, reason,
                Map.of("attempts", Integer.toString(attempts)));
    }
}
