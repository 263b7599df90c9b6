package io.mailer.webhook.relay;

import io.mailer.schemas.webhooks.WebhookDelivery;
import io.mailer.schemas.webhooks.WebhookEndpoint;
import io.mailer.schemas.webhooks.WebhookMessage;
import java.util.concurrent.CompletableFuture;

/** What an endpoint queue writes to Kafka: parked messages, delivery records, disabled endpoints. */
interface Outbox {

    /** Writes the message to retry tier {@code tier}, due after that tier's delay. */
    CompletableFuture<?> park(WebhookMessage message, int tier);

    /** The partition of retry tier {@code tier} that {@link #park} writes the message to. */
    int tierPartition(WebhookMessage message, int tier);

    void record(WebhookDelivery delivery);

    void disable(WebhookEndpoint endpoint, String reason);
}
