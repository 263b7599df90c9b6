package io.mailer.topology.reputation;

import io.mailer.schemas.events.EventType;

/**
 * The three fields of a {@code delivery-events} record the guard reads (the schemas module's
 * {@code DeliveryEvent} JSON, other fields skipped): read whole, an event cost the counter more
 * CPU than counting it — addresses, tags, details and an {@code Instant} parsed per event for nothing.
 */
record CountedEvent(String eventId, EventType type, String tenantId) {
}
