/**
 * The SQS edge: {@link io.mailer.feedback.intake.sqs.SqsPoller} starts and stops three jobs — the
 * {@code ReceiveLoop} receives batches and hands each message to an {@link
 * io.mailer.feedback.intake.sqs.SqsMessageHandler}, the {@code VisibilityHeartbeat} keeps a batch
 * in work invisible, the {@code BatchDeleter} deletes it once settled — under an {@code
 * InFlightLimit}. Knows nothing of SNS, SES or Kafka.
 */
package io.mailer.feedback.intake.sqs;
