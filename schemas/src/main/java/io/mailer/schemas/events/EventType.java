package io.mailer.schemas.events;

/**
 * Types of {@link DeliveryEvent}. The first group are pipeline outcomes written by Mailer itself;
 * the second group are SES notifications, one per recipient.
 */
public enum EventType {
    // written by the topology and the dispatcher
    SUPPRESSED, CANCELLED, SENT, FAILED,
    // mapped from SES notifications by the feedback service
    SES_ACCEPTED, REJECTED, DELIVERED, BOUNCED, SOFT_BOUNCED, COMPLAINED, DELIVERY_DELAYED,
    OPENED, CLICKED, RENDERING_FAILED, UNSUBSCRIBED
}
