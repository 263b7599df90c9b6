package io.mailer.webhook.relay;

import io.mailer.schemas.webhooks.WebhookMessage;

/**
 * A message on its way to one endpoint, with the record it came from and its place in the
 * endpoint's order ({@code seq}: arrival order in this replica; older items are always sent first).
 */
record Item(WebhookMessage message, Source source, long seq) {
}
