package io.mailer.webhook;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Relay settings, derived from the validated environment variables by {@link WebhookApplication}.
 *
 * @param allowHttp       {@code WEBHOOK_ALLOW_HTTP}: http:// URLs accepted (local runs)
 * @param allowedNetworks {@code WEBHOOK_ALLOWED_NETWORKS}: CIDRs exempt from the public-address rule
 * @param timeout         {@code WEBHOOK_TIMEOUT_SECONDS}: answer time of one POST
 * @param disableAfter    {@code WEBHOOK_DISABLE_AFTER_HOURS}: failing this long without a success disables
 * @param maxAge          {@code WEBHOOK_MAX_AGE_HOURS}: a message older than this is given up
 * @param endpointQueue   {@code WEBHOOK_ENDPOINT_QUEUE}: messages in memory per endpoint
 * @param maxInMemory     {@code WEBHOOK_MAX_IN_MEMORY}: messages in memory in all, before reading pauses
 * @param retryDelays     delay of each {@code webhook-retry-*} tier, in the order of Topics.WEBHOOK_RETRY_TIERS
 * @param endpointConcurrency {@code WEBHOOK_ENDPOINT_CONCURRENCY}: requests in flight per endpoint
 * @param deliveryRetention {@code WEBHOOK_DELIVERY_RETENTION_DAYS}: deliveries older than this are deleted
 */
@ConfigurationProperties("mailer.webhook")
public record WebhookProperties(
        boolean allowHttp,
        String allowedNetworks,
        Duration timeout,
        Duration disableAfter,
        Duration maxAge,
        int endpointQueue,
        int maxInMemory,
        List<Duration> retryDelays,
        int endpointConcurrency,
        Duration deliveryRetention) {

    public WebhookProperties {
        timeout = timeout == null ? Duration.ofSeconds(15) : timeout;
        disableAfter = disableAfter == null ? Duration.ofHours(24) : disableAfter;
        maxAge = maxAge == null ? Duration.ofHours(72) : maxAge;
        endpointQueue = endpointQueue <= 0 ? 10_000 : endpointQueue;
        maxInMemory = maxInMemory <= 0 ? 40_000 : maxInMemory;
        retryDelays = retryDelays == null || retryDelays.isEmpty()
                ? List.of(Duration.ofSeconds(10), Duration.ofMinutes(1), Duration.ofMinutes(10), Duration.ofHours(1),
                        Duration.ofHours(3), Duration.ofHours(8))
                : List.copyOf(retryDelays);
        endpointConcurrency = endpointConcurrency <= 0 ? 10 : endpointConcurrency;
        deliveryRetention = deliveryRetention == null ? Duration.ofDays(30) : deliveryRetention;
    }
}
