package io.mailer.ingress.system;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** Ingress settings, derived from the validated environment variables. */
@ConfigurationProperties("mailer.ingress")
public record IngressProperties(
        String defaultFrom,
        String bootstrapAdminKey,
        int maxRecipients,
        int chunkSize,
        int maxNdjsonRecipients,
        String unsubscribeSecret,
        String corsAllowedOrigins,
        int rateLimitPerSecond,
        long recipientsPerDay) {
}
