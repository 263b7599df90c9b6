package io.mailer.platform.kafka;

import io.mailer.schemas.kafka.Topics;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaAdmin;

/**
 * The topic registry of a service and its declaration: a fresh Kafka gets every topic of the
 * registry at start, an existing topic is left as it is. Every service imports it.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(TopicsProperties.class)
public class TopicsConfiguration {

    @Bean
    Topics topics(TopicsProperties properties) {
        return new Topics(properties.prefix());
    }

    @Bean
    TopicDeclarer topicDeclarer(KafkaAdmin kafkaAdmin, Topics topics, TopicsProperties properties) {
        return new TopicDeclarer(kafkaAdmin.getConfigurationProperties(), topics.newTopics(properties.partitions()));
    }
}
