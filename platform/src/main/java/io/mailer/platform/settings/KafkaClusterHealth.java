package io.mailer.platform.settings;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Readiness contributor for Kafka: the cluster answers a describe-cluster call within three
 * seconds. Boot has no Kafka health indicator of its own; one lazily created, long-lived admin
 * client keeps the probe cheap. Register it as a bean named {@code kafka}.
 */
public class KafkaClusterHealth extends AbstractHealthIndicator implements DisposableBean {

    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final Map<String, Object> adminConfig;
    private volatile Admin admin;

    public KafkaClusterHealth(Map<String, Object> adminConfig) {
        super("Kafka health check failed");
        this.adminConfig = Map.copyOf(adminConfig);
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) throws Exception {
        var cluster = admin().describeCluster(new DescribeClusterOptions().timeoutMs((int) TIMEOUT.toMillis()));
        String clusterId = cluster.clusterId().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        int nodes = cluster.nodes().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).size();
        builder.up().withDetail("clusterId", clusterId).withDetail("nodes", nodes);
    }

    private Admin admin() {
        Admin current = admin;
        if (current == null) {
            synchronized (this) {
                if (admin == null) {
                    admin = Admin.create(adminConfig);
                }
                current = admin;
            }
        }
        return current;
    }

    @Override
    public void destroy() {
        Admin current = admin;
        if (current != null) {
            current.close(Duration.ofSeconds(2));
        }
    }
}
