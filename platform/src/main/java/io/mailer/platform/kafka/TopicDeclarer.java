package io.mailer.platform.kafka;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
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
            List<String> created = new ArrayList<>();
            admin.createTopics(topics).values().forEach((name, result) -> {
                try {
                    result.get(30, TimeUnit.SECONDS);
                    created.add(name);
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
            if (!created.isEmpty()) {
                awaitLeaders(admin, created);
            }
        }
    }

    private static void awaitLeaders(Admin admin, List<String> created) {
        try {
            awaitWritable(admin, created, 30);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("Topics {} created but not yet writable: {}", created, e.toString());
        }
    }

    /**
     * Waits until the broker leads every partition of {@code topics}. Creation returns when the
     * controller has committed a topic, before the broker has applied it; an idempotent producer
     * writing at once can then have its first batch refused (NOT_LEADER_OR_FOLLOWER) and a later one
     * accepted, after which the first can only fail with OUT_OF_ORDER_SEQUENCE_NUMBER until
     * delivery.timeout.ms expires it (KAFKA-15591, fixed after Kafka 4.1). ListOffsets is served by
     * the leader only, and the admin client retries it until the leader is there.
     */
    public static void awaitWritable(Admin admin, Collection<String> topics, long timeoutSeconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (true) {
            try {
                Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
                admin.describeTopics(topics).allTopicNames().get(timeoutSeconds, TimeUnit.SECONDS).values()
                        .forEach(d -> d.partitions().forEach(p ->
                                partitions.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
                admin.listOffsets(partitions).all().get(timeoutSeconds, TimeUnit.SECONDS);
                return;
            } catch (java.util.concurrent.ExecutionException e) {
                // a broker that has not applied the new topic yet answers "does not host this
                // topic-partition" at once (seen right after another topic's deletion): ask again
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.RetriableException)
                        || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    public List<NewTopic> topics() {
        return topics;
    }
}
