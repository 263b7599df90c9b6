package io.mailer.feedback.intake.ses;

import tools.jackson.databind.JsonNode;

/**
 * One SES notification unwrapped from its SQS body.
 *
 * @param ses          the SES JSON (either format)
 * @param snsMessageId the SNS MessageId, null for raw message delivery
 * @param topicArn     the SNS topic, null for raw message delivery
 */
public record SesNotification(JsonNode ses, String snsMessageId, String topicArn)
        implements NotificationReader.ReadResult {
}
