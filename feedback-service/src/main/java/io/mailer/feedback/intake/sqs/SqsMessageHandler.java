package io.mailer.feedback.intake.sqs;

import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.sqs.model.Message;

/** What the {@link SqsPoller} does with one message; the future completes when it may be deleted. */
@FunctionalInterface
public interface SqsMessageHandler {

    CompletableFuture<Void> handle(Message message);
}
