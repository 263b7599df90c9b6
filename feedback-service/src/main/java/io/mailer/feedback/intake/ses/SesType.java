package io.mailer.feedback.intake.ses;

import java.util.Arrays;
import java.util.Optional;

/**
 * The SES event types, by the exact string SES puts in {@code eventType} (configuration sets) or
 * {@code notificationType} (identity notifications, which use only Bounce, Complaint and
 * Delivery), with the name of the object holding the type's details.
 */
enum SesType {
    SEND("Send", "send"),
    REJECT("Reject", "reject"),
    BOUNCE("Bounce", "bounce"),
    COMPLAINT("Complaint", "complaint"),
    DELIVERY("Delivery", "delivery"),
    DELIVERY_DELAY("DeliveryDelay", "deliveryDelay"),
    OPEN("Open", "open"),
    CLICK("Click", "click"),
    RENDERING_FAILURE("Rendering Failure", "failure"),
    SUBSCRIPTION("Subscription", "subscription");

    private final String sesName;
    private final String detailObject;

    SesType(String sesName, String detailObject) {
        this.sesName = sesName;
        this.detailObject = detailObject;
    }

    /** The exact, case-sensitive SES name: strict dispatch, never a guess from the payload. */
    static Optional<SesType> of(String sesName) {
        return Arrays.stream(values()).filter(t -> t.sesName.equals(sesName)).findFirst();
    }

    String sesName() {
        return sesName;
    }

    String detailObject() {
        return detailObject;
    }
}
