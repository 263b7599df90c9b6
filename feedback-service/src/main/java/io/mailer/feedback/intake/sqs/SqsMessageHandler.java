package io.mailer.feedback.intake.sqs;

import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * What the {@link SqsPoller} does with one message. The future completes with what becomes of the
 * message once it is handled, or fails when handling failed (e.g. Kafka did not acknowledge in
 * time); a message that failed or is to be kept stays in SQS, which redelivers it after the
 * visibility timeout.
 */
@FunctionalInterface
public interface SqsMessageHandler {

    CompletableFuture<Settlement> handle(Message message);

    /** What becomes of a handled message. */
    sealed interface Settlement {

        Settlement DELETE = new Delete();

        /** Handled for good (its records acknowledged, or nothing to record): delete it. */
        record Delete() implements Settlement {
        }

        /** Not to be decided yet, and not the message's fault: leave it in SQS to be received again. */
        record Keep(String why) implements Settlement {
        }
    }
}
