package io.mailer.ingress.system;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** Ingress settings, derived from the validated environment variables. */
@ConfigurationProperties("mailer.ingress")
public record IngressProperties(
        String topicPrefix,
        String defaultFrom,
        String bootstrapAdminKey,
        int maxRecipients,
        int chunkSize,
        int maxNdjsonRecipients,
        String unsubscribeSecret,
        String corsAllowedOrigins,
        int rateLimitPerSecond,
        long recipientsPerDay,
        int topicPartitions) {

    public IngressProperties {
        topicPartitions = topicPartitions <= 0 ? 6 : topicPartitions;
    }
}
