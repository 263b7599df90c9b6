package io.mailer.feedback.intake.sqs;

import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.sqs.model.Message;

/** A received message and the completion of its handling (records acknowledged, or failed). */
record InWork(Message message, CompletableFuture<SqsMessageHandler.Settlement> done) {
}
