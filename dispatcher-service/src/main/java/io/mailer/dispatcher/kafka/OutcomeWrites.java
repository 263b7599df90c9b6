package io.mailer.dispatcher.kafka;

import io.mailer.dispatcher.send.SendOutcome;
import io.mailer.dispatcher.tenant.HeldSends;
import io.mailer.schemas.events.SendRequest;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** The write that makes a send's outcome durable: its event, or its hand-over to sends-held, a retry tier or sends-dlt. */
final class OutcomeWrites {

    private final OutcomePublisher publisher;
    private final RetryTiers retryTiers;
    private final HeldSends held;

    OutcomeWrites(OutcomePublisher publisher, RetryTiers retryTiers, HeldSends held) {
        this.publisher = publisher;
        this.retryTiers = retryTiers;
        this.held = held;
    }

    CompletableFuture<?> write(ConsumerRecord<String, SendRequest> record, SendOutcome outcome) {
        // an outcome after a deferred send is still written: that message did go out (or fail)
        if (outcome instanceof SendOutcome.Held hold) {
            return held.park(record, hold.reason());
        }
        if (outcome instanceof SendOutcome.Throttled throttled) {
            return retryTiers.park(record, throttled.delay());
        }
        if (outcome instanceof SendOutcome.RetryLater later) {
            int tier = RetryTiers.tierOf(record);
            CompletableFuture<?> handOver = retryTiers.handOver(record.value(), tier, later);
            if (!retryTiers.isLastTier(tier)) {
                return handOver;
            }
            // dead-lettered: the batch's accounting gets its FAILED; a replay may still send it
            return CompletableFuture.allOf(handOver, publisher.publish(record.value(), new SendOutcome.Failed(
                    "ses:dead-lettered:" + later.code(), later.attempts())));
        }
        return publisher.publish(record.value(), outcome);
    }

    /** Waits until Kafka acknowledged {@code writes}; fails the caller if it did not. */
    void awaitAll(CompletableFuture<?> writes) {
        publisher.awaitAll(writes);
    }
}
