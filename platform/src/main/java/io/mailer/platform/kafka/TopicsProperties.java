package io.mailer.platform.kafka;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The topic settings every service shares ({@code mailer.topics.*}): the name prefix
 * ({@code MAILER_TOPIC_PREFIX}), also the prefix of every consumer group and Streams application id,
 * and the partitions of the topics a service creates when they are missing.
 */
@ConfigurationProperties("mailer.topics")
public record TopicsProperties(@DefaultValue("mailer.") String prefix, @DefaultValue("6") int partitions) {

    public TopicsProperties {
        if (partitions <= 0) {
            throw new IllegalArgumentException("mailer.topics.partitions must be at least 1, was " + partitions);
        }
    }
}
