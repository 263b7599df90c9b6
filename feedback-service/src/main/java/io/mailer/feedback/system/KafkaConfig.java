package io.mailer.feedback.system;

import io.mailer.platform.kafka.TopicDeclarer;
import io.mailer.platform.settings.KafkaClusterHealth;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaAdmin;

/** Topic registry and declarations, so a fresh Kafka gets every topic this service touches. */
@Configuration(proxyBeanMethods = false)
class KafkaConfig {

    /** Readiness contributor "kafka". */
    @Bean("kafka")
    public KafkaClusterHealth kafkaHealth(KafkaAdmin kafkaAdmin) {
        return new KafkaClusterHealth(kafkaAdmin.getConfigurationProperties());
    }


    @Bean
    public FeedbackTopics feedbackTopics(TopicsProperties properties) {
        return FeedbackTopics.of(properties.prefix());
    }

    /**
     * Not {@code KafkaAdmin.NewTopics} beans on purpose: for a topic that already exists with
     * fewer partitions, KafkaAdmin ADDS partitions, which silently re-maps keys to partitions and
     * breaks the topology's co-partitioning. Creating only what is missing is the safe no-op.
     */
    @Bean
    public TopicDeclarer topicDeclarer(KafkaAdmin kafkaAdmin, FeedbackTopics topics, TopicsProperties properties) {
        return new TopicDeclarer(kafkaAdmin.getConfigurationProperties(), topics.topics().newTopics(properties.partitions()));
    }
}
