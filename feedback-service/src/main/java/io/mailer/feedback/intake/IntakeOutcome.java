package io.mailer.feedback.intake;

import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.Suppression;
import java.util.List;

/** What one SQS message turns into. Errors are values: every message ends in exactly one outcome. */
public sealed interface IntakeOutcome {

    /** Events (one per recipient) and the suppressions they imply, to publish before deleting the message. */
    record Publish(String sesType, List<DeliveryEvent> events, List<Suppression> suppressions) implements IntakeOutcome {
        public Publish {
            events = List.copyOf(events);
            suppressions = List.copyOf(suppressions);
        }
    }

    /** The raw body goes to the quarantine topic with the reason. */
    record Quarantine(QuarantineReason reason, String detail) implements IntakeOutcome {
    }

    /** A known message with nothing to record (e.g. SES's AmazonSnsSubscriptionSucceeded); deleted and counted. */
    record Ignore(String what) implements IntakeOutcome {
    }

    /**
     * Not the message's fault, and not to be decided yet (its SENT record not projected yet, the SNS
     * signing certificate unreachable): the message stays in SQS and is received again later.
     */
    record Retry(String why) implements IntakeOutcome {
    }
}
