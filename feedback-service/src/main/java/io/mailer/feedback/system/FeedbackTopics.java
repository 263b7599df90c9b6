package io.mailer.feedback.system;

import io.mailer.schemas.kafka.Topics;

/**
 * The shared topic registry plus the two topics only this service writes: the intake quarantine
 * (SQS messages that could not be turned into events) and the projector's dead-letter topic
 * (records the projector cannot read). Both carry the raw bytes and a {@code reason} header.
 */
public record FeedbackTopics(Topics topics, String quarantine, String projectorDlt) {

    public static FeedbackTopics of(String prefix) {
        return of(new Topics(prefix));
    }

    public static FeedbackTopics of(Topics topics) {
        return new FeedbackTopics(topics, topics.feedbackQuarantine.name(), topics.projectorDlt.name());
    }

    /** The topics the projector consumes, in the order of the data flow. */
    public String[] projectorSources() {
        return new String[] {topics.batchCommands.name(), topics.deliveryEvents.name(), topics.suppressions.name()};
    }
}
