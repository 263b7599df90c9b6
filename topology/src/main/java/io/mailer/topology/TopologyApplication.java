package io.mailer.topology;

import io.mailer.schemas.settings.Checks;
import io.mailer.schemas.settings.CommonSettings;
import io.mailer.schemas.settings.MailerApplication;
import io.mailer.schemas.settings.ServiceSettings;
import io.mailer.schemas.settings.Setting;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;

/** The topology service: Kafka Streams fan-out and suppression filter, with health and metrics over HTTP. */
@SpringBootApplication
public class TopologyApplication {

    public static final String SERVICE_NAME = "topology";

    private static final Setting.Check NON_NEGATIVE_INT = value -> {
        try {
            return Integer.parseInt(value.trim()) >= 0 ? null : "must be 0 or more, got '" + value + "'";
        } catch (NumberFormatException e) {
            return "must be 0 or more, got '" + value + "'";
        }
    };

    private static final Setting.Check POSITIVE_INT = value -> {
        try {
            return Integer.parseInt(value.trim()) > 0 ? null : "must be 1 or more, got '" + value + "'";
        } catch (NumberFormatException e) {
            return "must be 1 or more, got '" + value + "'";
        }
    };

    public static final List<Setting> SETTINGS = List.of(
            CommonSettings.KAFKA_BOOTSTRAP_SERVERS,
            CommonSettings.MAILER_TOPIC_PREFIX,
            CommonSettings.port("3001"),
            Setting.optional("STREAMS_STATE_DIR", null, Checks.NON_BLANK,
                    "Kafka Streams state directory; default a fresh temporary directory"),
            Setting.optional("STREAMS_NUM_STANDBY_REPLICAS", "0", NON_NEGATIVE_INT,
                    "standby replicas of each task's state on other instances"),
            Setting.optional("STREAMS_ROCKSDB_MEMORY_MB", "128", POSITIVE_INT,
                    "off-heap memory of all RocksDB stores together (block cache and memtables), MiB"));

    /**
     * Auto-configurations of the other services' dependencies, which share the classpath in the
     * one-JVM launcher: this service has no database.
     */
    static final List<String> EXCLUDED_AUTO_CONFIGURATIONS = List.of(
            "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.DataSourceInitializationAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.JdbcClientAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.health.DataSourceHealthContributorAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.metrics.DataSourcePoolMetricsAutoConfiguration",
            "org.springframework.boot.r2dbc.autoconfigure.R2dbcAutoConfiguration",
            "org.springframework.boot.r2dbc.autoconfigure.R2dbcInitializationAutoConfiguration",
            "org.springframework.boot.r2dbc.autoconfigure.R2dbcTransactionManagerAutoConfiguration",
            "org.springframework.boot.r2dbc.autoconfigure.health.ConnectionFactoryHealthContributorAutoConfiguration",
            "org.springframework.boot.r2dbc.autoconfigure.metrics.ConnectionPoolMetricsAutoConfiguration",
            "org.springframework.boot.data.r2dbc.autoconfigure.DataR2dbcAutoConfiguration",
            "org.springframework.boot.data.r2dbc.autoconfigure.DataR2dbcRepositoriesAutoConfiguration",
            "org.springframework.boot.liquibase.autoconfigure.LiquibaseAutoConfiguration",
            "org.springframework.boot.liquibase.autoconfigure.LiquibaseEndpointAutoConfiguration");

    public static ConfigurableApplicationContext start(Map<String, String> env) {
        return MailerApplication.start(TopologyApplication.class, SERVICE_NAME, SETTINGS, env,
                TopologyApplication::springProperties);
    }

    public static void main(String[] args) {
        MailerApplication.runOrExit(TopologyApplication.class, SERVICE_NAME, SETTINGS,
                TopologyApplication::springProperties, args);
    }

    static Map<String, Object> springProperties(ServiceSettings settings) {
        Map<String, Object> props = new HashMap<>();
        props.put("server.port", settings.get("PORT"));
        // KafkaAdmin (topic creation) uses Spring Kafka's property; Kafka Streams its own
        props.put("spring.kafka.bootstrap-servers", settings.get("KAFKA_BOOTSTRAP_SERVERS"));
        props.put("mailer.topology.bootstrap-servers", settings.get("KAFKA_BOOTSTRAP_SERVERS"));
        props.put("mailer.topology.topic-prefix", settings.get("MAILER_TOPIC_PREFIX"));
        props.put("mailer.topology.state-dir", settings.has("STREAMS_STATE_DIR") ? settings.get("STREAMS_STATE_DIR") : "");
        props.put("mailer.topology.num-standby-replicas", settings.get("STREAMS_NUM_STANDBY_REPLICAS"));
        props.put("mailer.topology.rocks-db-memory-mb", settings.get("STREAMS_ROCKSDB_MEMORY_MB"));
        props.put("spring.autoconfigure.exclude", String.join(",", EXCLUDED_AUTO_CONFIGURATIONS));
        return props;
    }
}
