package io.mailer.feedback.system;

import io.mailer.platform.kafka.TopicsConfiguration;
import io.mailer.platform.settings.KafkaClusterHealth;
import io.mailer.schemas.kafka.Topics;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.core.KafkaAdmin;

/** The topic registry and its declaration (platform), the two topics only this service writes, Kafka health. */
@Configuration(proxyBeanMethods = false)
@Import(TopicsConfiguration.class)
class KafkaConfig {

    /** Readiness contributor "kafka". */
    @Bean("kafka")
    public KafkaClusterHealth kafkaHealth(KafkaAdmin kafkaAdmin) {
        return new KafkaClusterHealth(kafkaAdmin.getConfigurationProperties());
    }

    @Bean
    public FeedbackTopics feedbackTopics(Topics topics) {
        return FeedbackTopics.of(topics);
    }
}
