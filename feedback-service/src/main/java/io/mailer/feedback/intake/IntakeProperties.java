package io.mailer.feedback.intake;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the SQS intake ({@code mailer.feedback.intake.*}), derived from the environment
 * variables by {@code FeedbackApplication}.
 *
 * @param queueUrl         the queue SNS delivers SES notifications to
 * @param endpoint         SQS endpoint override (ElasticMQ in tests), null for AWS
 * @param region           AWS region of the queue (and of the SNS signing certificate)
 * @param waitSeconds      long-polling wait; 20 in production, small in tests so shutdown is quick
 * @param maxMessages      messages per receive (SQS maximum 10)
 * @param pollers          threads each running a receive-process-delete loop
 * @param verifySignatures verify SNS signatures (off only for raw message delivery or tests)
 * @param topicArns        accepted SNS topic ARNs; empty accepts any (the queue policy is then the only guard)
 * @param publishTimeout   how long to wait for Kafka acks before leaving a message for redelivery
 * @param enabled          false runs the projector only
 * @param visibilityTimeout visibility asked for on receive, extended while a message is in work
 * @param softBounceThreshold soft bounces within {@code softBounceWindow} that suppress a recipient; 0 = never
 * @param softBounceWindow  the window of the transient-bounce policy
 * @param correlationGrace  how long an untagged notification waits (in SQS) for its SENT record
 * @param maxInFlight       messages received and not yet settled (acked and deleted, or left) at most;
 *                          the pollers receive again while earlier messages wait for Kafka acks
 */
@ConfigurationProperties("mailer.feedback.intake")
public record IntakeProperties(
        String queueUrl,
        URI endpoint,
        String region,
        @DefaultValue("20") int waitSeconds,
        @DefaultValue("10") int maxMessages,
        @DefaultValue("8") int pollers,
        @DefaultValue("true") boolean verifySignatures,
        @DefaultValue List<String> topicArns,
        @DefaultValue("30s") Duration publishTimeout,
        @DefaultValue("true") boolean enabled,
        @DefaultValue("30s") Duration visibilityTimeout,
        @DefaultValue("3") int softBounceThreshold,
        @DefaultValue("7d") Duration softBounceWindow,
        @DefaultValue("15m") Duration correlationGrace,
        @DefaultValue("500") int maxInFlight) {

    public IntakeProperties {
        topicArns = topicArns == null ? List.of()
                : topicArns.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /**
     * Threads issuing the (blocking) DeleteMessageBatch calls of settled batches: as many as
     * pollers, so deletes keep pace with receives even when each call waits a network round trip.
     */
    public int deleters() {
        return Math.max(2, pollers);
    }
}
