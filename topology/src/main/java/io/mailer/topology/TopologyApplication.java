package io.mailer.topology;

import io.mailer.platform.settings.Checks;
import io.mailer.platform.settings.CommonSettings;
import io.mailer.platform.settings.MailerApplication;
import io.mailer.platform.settings.ServiceSettings;
import io.mailer.platform.settings.Setting;
import io.mailer.platform.settings.UnusedAutoConfigurations;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.convert.DurationStyle;
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

    private static final Setting.Check DURATION = value -> {
        try {
            return !DurationStyle.detectAndParse(value.trim()).isNegative() && !DurationStyle.detectAndParse(value.trim()).isZero() ? null : "must be a positive duration";
        } catch (RuntimeException e) {
            return "must be a duration such as 24h or PT24H, got '" + value + "'";
        }
    };

    private static final Setting.Check RATE = value -> {
        try {
            double d = Double.parseDouble(value.trim());
            return d > 0 && d <= 1 ? null : "must be a fraction above 0 and at most 1 (0.05 = 5 %), got '" + value + "'";
        } catch (NumberFormatException e) {
            return "must be a fraction above 0 and at most 1 (0.05 = 5 %), got '" + value + "'";
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
            Setting.optional("STREAMS_ROCKSDB_MEMORY_MB", "128", Checks.POSITIVE_INT,
                    "off-heap memory of all RocksDB stores together (block cache and memtables), MiB"),
            Setting.optional("REPUTATION_WINDOW", "24h", DURATION,
                    "time the reputation guard's rates look back (e.g. 24h, 90m, PT6H)"),
            Setting.optional("REPUTATION_WINDOW_SENDS", "10000", Checks.POSITIVE_INT,
                    "the most recent sends the rates look back at, if fewer than the window's"),
            Setting.optional("REPUTATION_THROTTLE_BOUNCE_RATE", "0.025", RATE, "default hard-bounce rate that throttles a tenant"),
            Setting.optional("REPUTATION_PAUSE_BOUNCE_RATE", "0.05", RATE, "default hard-bounce rate that pauses a tenant"),
            Setting.optional("REPUTATION_THROTTLE_COMPLAINT_RATE", "0.0005", RATE, "default complaint rate that throttles a tenant"),
            Setting.optional("REPUTATION_PAUSE_COMPLAINT_RATE", "0.001", RATE, "default complaint rate that pauses a tenant"),
            Setting.optional("REPUTATION_MIN_SENDS", "200", Checks.POSITIVE_INT,
                    "sends in a tenant's window before its bounce rate is acted on"));

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
        props.put("mailer.topics.prefix", settings.get("MAILER_TOPIC_PREFIX"));
        props.put("mailer.topology.state-dir", settings.has("STREAMS_STATE_DIR") ? settings.get("STREAMS_STATE_DIR") : "");
        props.put("mailer.topology.num-standby-replicas", settings.get("STREAMS_NUM_STANDBY_REPLICAS"));
        props.put("mailer.topology.rocks-db-memory-mb", settings.get("STREAMS_ROCKSDB_MEMORY_MB"));
        props.put("mailer.topology.reputation.window", DurationStyle.detectAndParse(settings.get("REPUTATION_WINDOW").trim()).toString());
        props.put("mailer.topology.reputation.window-sends", settings.get("REPUTATION_WINDOW_SENDS"));
        props.put("mailer.topology.reputation.throttle-bounce-rate", settings.get("REPUTATION_THROTTLE_BOUNCE_RATE"));
        props.put("mailer.topology.reputation.pause-bounce-rate", settings.get("REPUTATION_PAUSE_BOUNCE_RATE"));
        props.put("mailer.topology.reputation.throttle-complaint-rate", settings.get("REPUTATION_THROTTLE_COMPLAINT_RATE"));
        props.put("mailer.topology.reputation.pause-complaint-rate", settings.get("REPUTATION_PAUSE_COMPLAINT_RATE"));
        props.put("mailer.topology.reputation.min-sends", settings.get("REPUTATION_MIN_SENDS"));
        props.put("spring.autoconfigure.exclude", UnusedAutoConfigurations.exclude(
                UnusedAutoConfigurations.JDBC, UnusedAutoConfigurations.R2DBC, UnusedAutoConfigurations.LIQUIBASE));
        return props;
    }
}
