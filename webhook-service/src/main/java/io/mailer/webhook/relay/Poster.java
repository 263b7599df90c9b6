package io.mailer.webhook.relay;

import io.mailer.schemas.webhooks.WebhookEndpoint;
import java.util.concurrent.CompletableFuture;

/** Sends one signed request to an endpoint ({@link HttpSender}; a stub in unit tests). */
@FunctionalInterface
interface Poster {

    CompletableFuture<Attempt> post(WebhookEndpoint endpoint, String messageId, String body);
}
