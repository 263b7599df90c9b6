package io.mailer.webhook;

import io.mailer.platform.settings.Checks;
import io.mailer.platform.settings.CommonSettings;
import io.mailer.platform.settings.DatabaseUrl;
import io.mailer.platform.settings.MailerApplication;
import io.mailer.platform.settings.ServiceSettings;
import io.mailer.platform.settings.Setting;
import io.mailer.platform.settings.UnusedAutoConfigurations;
import io.mailer.schemas.webhooks.WebhookUrlPolicy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The webhook relay: every {@code delivery-events} record to the endpoints of its tenant that
 * subscribed to its type, signed per Standard Webhooks, retried through the {@code webhook-retry-*}
 * delay tiers (package {@code relay}); and the projector of {@code webhook-deliveries} and
 * {@code webhook-endpoints} into PostgreSQL, which ingress reads (package {@code projector}).
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class WebhookApplication {

    public static final String SERVICE_NAME = "webhook-service";

    public static final Setting WEBHOOK_ALLOW_HTTP = Setting.optional("WEBHOOK_ALLOW_HTTP", "false", Checks.BOOLEAN,
            "allow http:// webhook URLs (local runs only; production: https only)");
    public static final Setting WEBHOOK_ALLOWED_NETWORKS = Setting.optional("WEBHOOK_ALLOWED_NETWORKS", "",
            v -> WebhookUrlPolicy.networksProblem(v),
            "comma-separated CIDRs webhooks may reach although private/loopback/link-local, e.g. 127.0.0.1/32");
    public static final Setting WEBHOOK_TIMEOUT_SECONDS = Setting.optional("WEBHOOK_TIMEOUT_SECONDS", "15",
            Checks.POSITIVE_INT, "seconds an endpoint has to answer a POST before the attempt counts as failed");
    public static final Setting WEBHOOK_DISABLE_AFTER_HOURS = Setting.optional("WEBHOOK_DISABLE_AFTER_HOURS", "24",
            Checks.POSITIVE_NUMBER, "an endpoint failing without a success for this long is disabled");
    public static final Setting WEBHOOK_MAX_AGE_HOURS = Setting.optional("WEBHOOK_MAX_AGE_HOURS", "72",
            Checks.POSITIVE_NUMBER, "a message not delivered this long after its event is given up (FAILED)");
    public static final Setting WEBHOOK_ENDPOINT_QUEUE = Setting.optional("WEBHOOK_ENDPOINT_QUEUE", "10000",
            Checks.POSITIVE_INT, "messages held in memory per endpoint; beyond, the newest wait in the first retry tier");
    public static final Setting WEBHOOK_MAX_IN_MEMORY = Setting.optional("WEBHOOK_MAX_IN_MEMORY", "40000",
            Checks.POSITIVE_INT, "messages held in memory over all endpoints before the relay stops reading delivery-events");

    public static final Setting WEBHOOK_ENDPOINT_CONCURRENCY = Setting.optional("WEBHOOK_ENDPOINT_CONCURRENCY", "10",
            Checks.POSITIVE_INT, "requests one endpoint may have in flight (different send ids; one while it is failing)");
    public static final Setting WEBHOOK_DELIVERY_RETENTION_DAYS = Setting.optional("WEBHOOK_DELIVERY_RETENTION_DAYS", "30",
            Checks.POSITIVE_INT, "days the delivery log (GET /webhooks/{id}/deliveries) keeps a delivery; older rows are deleted hourly");

    public static final Setting WEBHOOK_RETRY_DELAYS = Setting.optional("WEBHOOK_RETRY_DELAYS", "10s,1m,10m,1h,3h,8h",
            WebhookApplication::checkDelays, "delays of the six webhook-retry-* tiers (topics 10s,1m,10m,1h,3h,8h), e.g. 10s,1m,10m,1h,3h,8h");

    public static final List<Setting> SETTINGS = List.of(
            CommonSettings.KAFKA_BOOTSTRAP_SERVERS,
            CommonSettings.MAILER_TOPIC_PREFIX,
            CommonSettings.port("3004"),
            CommonSettings.DATABASE_URL,
            WEBHOOK_ALLOW_HTTP,
            WEBHOOK_ALLOWED_NETWORKS,
            WEBHOOK_TIMEOUT_SECONDS,
            WEBHOOK_DISABLE_AFTER_HOURS,
            WEBHOOK_MAX_AGE_HOURS,
            WEBHOOK_ENDPOINT_QUEUE,
            WEBHOOK_MAX_IN_MEMORY,
            WEBHOOK_RETRY_DELAYS,
            WEBHOOK_ENDPOINT_CONCURRENCY,
            WEBHOOK_DELIVERY_RETENTION_DAYS);

    public static void main(String[] args) {
        // With one or two CPUs the common pool has parallelism 1, and CompletableFuture's default
        // async executor then starts a new thread per task: the JDK HttpClient completes every
        // sendAsync through it. A parallelism of 2 keeps those completions on pooled threads.
        if (System.getProperty("java.util.concurrent.ForkJoinPool.common.parallelism") == null) {
            System.setProperty("java.util.concurrent.ForkJoinPool.common.parallelism",
                    Integer.toString(Math.max(2, Runtime.getRuntime().availableProcessors() - 1)));
        }
        MailerApplication.runOrExit(WebhookApplication.class, SERVICE_NAME, SETTINGS,
                WebhookApplication::springProperties, args);
    }

    /** Starts the service with the given environment variables overlaid on the process environment. */
    public static ConfigurableApplicationContext start(Map<String, String> env) {
        return MailerApplication.start(WebhookApplication.class, SERVICE_NAME, SETTINGS, env,
                WebhookApplication::springProperties);
    }

    static Map<String, Object> springProperties(ServiceSettings s) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("server.port", s.get("PORT"));
        p.put("spring.kafka.bootstrap-servers", s.get(CommonSettings.KAFKA_BOOTSTRAP_SERVERS.name()));
        DatabaseUrl db = DatabaseUrl.parse(s.get(CommonSettings.DATABASE_URL.name()));
        p.put("spring.datasource.url", db.jdbcUrl());
        p.put("spring.datasource.username", db.username());
        p.put("spring.datasource.password", db.password());
        p.put("mailer.topics.prefix", s.get(CommonSettings.MAILER_TOPIC_PREFIX.name()));
        p.put("mailer.webhook.allow-http", s.get(WEBHOOK_ALLOW_HTTP.name()).toLowerCase());
        p.put("mailer.webhook.allowed-networks", s.has(WEBHOOK_ALLOWED_NETWORKS.name()) ? s.get(WEBHOOK_ALLOWED_NETWORKS.name()) : "");
        p.put("mailer.webhook.timeout", s.get(WEBHOOK_TIMEOUT_SECONDS.name()) + "s");
        p.put("mailer.webhook.disable-after", (long) (Double.parseDouble(s.get(WEBHOOK_DISABLE_AFTER_HOURS.name())) * 3600) + "s");
        p.put("mailer.webhook.max-age", (long) (Double.parseDouble(s.get(WEBHOOK_MAX_AGE_HOURS.name())) * 3600) + "s");
        p.put("mailer.webhook.endpoint-queue", s.get(WEBHOOK_ENDPOINT_QUEUE.name()));
        p.put("mailer.webhook.max-in-memory", s.get(WEBHOOK_MAX_IN_MEMORY.name()));
        p.put("mailer.webhook.retry-delays", s.get(WEBHOOK_RETRY_DELAYS.name()));
        p.put("mailer.webhook.endpoint-concurrency", s.get(WEBHOOK_ENDPOINT_CONCURRENCY.name()));
        p.put("mailer.webhook.delivery-retention", s.get(WEBHOOK_DELIVERY_RETENTION_DAYS.name()) + "d");
        p.put("spring.autoconfigure.exclude", UnusedAutoConfigurations.exclude(UnusedAutoConfigurations.R2DBC));
        return p;
    }

    private static String checkDelays(String value) {
        String[] parts = value.split(",");
        if (parts.length != io.mailer.schemas.kafka.Topics.WEBHOOK_RETRY_TIERS.size()) {
            return "must list " + io.mailer.schemas.kafka.Topics.WEBHOOK_RETRY_TIERS.size() + " delays, got '" + value + "'";
        }
        for (String part : parts) {
            if (!part.trim().matches("[0-9]+(ms|s|m|h|d)")) {
                return "must be durations like 10s,1m,10m,1h,3h,8h, got '" + value + "'";
            }
        }
        return null;
    }
}
