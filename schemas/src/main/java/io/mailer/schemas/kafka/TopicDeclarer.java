package io.mailer.schemas.kafka;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Creates the topics that do not exist yet, before listener containers start, and leaves existing
 * topics exactly as they are. Not Spring's {@code KafkaAdmin.NewTopics} on purpose: for an existing
 * topic with fewer partitions it adds partitions, which re-maps keys to partitions under running
 * consumers. In production the Helm topic job creates topics; this makes a bare local Kafka work.
 * An unreachable broker is logged, not fatal: readiness reports it.
 */
public final class TopicDeclarer implements SmartInitializingSingleton {

    private static final Logger log = LoggerFactory.getLogger(TopicDeclarer.class);

    private final Map<String, Object> adminConfig;
    private final List<NewTopic> topics;

    public TopicDeclarer(Map<String, Object> adminConfig, List<NewTopic> topics) {
        this.adminConfig = Map.copyOf(adminConfig);
        this.topics = List.copyOf(topics);
    }

    @Override
    public void afterSingletonsInstantiated() {
        try (Admin admin = Admin.create(adminConfig)) {
            admin.createTopics(topics).values().forEach((name, result) -> {
                try {
                    result.get(30, TimeUnit.SECONDS);
                    log.info("Created topic {}", name);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        log.warn("Cannot create topic {}: {}", name, e.getCause().toString());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    log.warn("Cannot create topic {}: {}", name, e.toString());
                }
            });
        }
    }

    public List<NewTopic> topics() {
        return topics;
    }
}
