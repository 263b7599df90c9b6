/**
 * The SQS edge: long-polls the queue, hands each message to an {@link
 * io.mailer.feedback.intake.sqs.SqsMessageHandler} and deletes it once the handler says so. Knows
 * nothing of SNS, SES or Kafka.
 */
package io.mailer.feedback.intake.sqs;
