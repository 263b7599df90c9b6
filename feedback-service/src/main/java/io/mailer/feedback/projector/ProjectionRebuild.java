package io.mailer.feedback.projector;

import io.mailer.platform.settings.DatabaseUrl;
import io.mailer.platform.settings.KafkaSecurity;
import io.mailer.platform.settings.ServiceSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds the query view from the topics: {@code java -jar feedback-service-exec.jar --rebuild-projection}
 * (same environment as the service, every feedback-service instance stopped first).
 *
 * <p>It deletes the projector's consumer group (refused by Kafka while a member is alive, which
 * is the guard against wiping a view that a running projector keeps writing), truncates the view
 * tables, and then the service starts as usual: with no committed offsets the projector reads
 * {@code batch-commands}, {@code delivery-events} and {@code suppressions} from the beginning
 * ({@code auto-offset-reset: earliest}) and writes the same rows again. {@code api_key} and
 * {@code idempotency_key} are not projections and are left alone. Everything the view shows is
 * rebuilt as long as the topics' retention still holds it (suppressions is compacted: complete).
 */
public final class ProjectionRebuild {

    public static final String ARG = "--rebuild-projection";
    static final List<String> VIEW_TABLES = List.of("event", "recipient", "batch", "batch_counts", "batch_partition", "suppression");

    private static final Logger log = LoggerFactory.getLogger(ProjectionRebuild.class);

    private ProjectionRebuild() {
    }

    /** Runs the rebuild preparation with the service's environment variables. */
    public static void run(Map<String, String> env, String defaultTopicPrefix) {
        String prefix = env.getOrDefault("MAILER_TOPIC_PREFIX", defaultTopicPrefix);
        // the same TLS/SASL settings as the service's own clients (KafkaSecurity), validated the same way
        ServiceSettings security = ServiceSettings.resolve("feedback-service", KafkaSecurity.SETTINGS, env);
        List<String> problems = KafkaSecurity.problems(security);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        Map<String, Object> admin = new HashMap<>(KafkaSecurity.clientProperties(security));
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, env.get("KAFKA_BOOTSTRAP_SERVERS"));
        run(admin, prefix + "projector", DatabaseUrl.parse(env.get("DATABASE_URL")));
    }

    public static void run(Map<String, Object> adminConfig, String groupId, DatabaseUrl db) {
        try (Admin admin = Admin.create(adminConfig)) {
            admin.deleteConsumerGroups(List.of(groupId)).all().get();
            log.info("Deleted consumer group {}: the projector will replay its topics from offset 0", groupId);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupNotEmptyException) {
                throw new IllegalStateException("Consumer group " + groupId
                        + " still has members: stop every feedback-service instance before rebuilding", e);
            }
            if (!(e.getCause() instanceof GroupIdNotFoundException)) {
                throw new IllegalStateException("Could not delete consumer group " + groupId, e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password());
                Statement s = c.createStatement()) {
            s.execute("TRUNCATE " + String.join(", ", VIEW_TABLES));
            log.info("Truncated {}", VIEW_TABLES);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not truncate the view tables", e);
        }
    }
}
