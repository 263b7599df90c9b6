package io.mailer.feedback.system;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** Topic naming and creation settings ({@code mailer.topics.*}). */
@ConfigurationProperties("mailer.topics")
record TopicsProperties(@DefaultValue("mailer.") String prefix, @DefaultValue("6") int partitions) {
}
