package io.mailer.ingress;

import io.mailer.platform.settings.Checks;
import io.mailer.platform.settings.CommonSettings;
import io.mailer.platform.settings.DatabaseUrl;
import io.mailer.platform.settings.MailerApplication;
import io.mailer.platform.settings.ServiceSettings;
import io.mailer.platform.settings.Setting;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ConfigurableApplicationContext;

/** The REST API: accepts batches onto Kafka and answers status queries from PostgreSQL. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class IngressApplication {

    public static final String SERVICE = "ingress-service";

    public static final List<Setting> SETTINGS = List.of(
            CommonSettings.port("3000"),
            CommonSettings.KAFKA_BOOTSTRAP_SERVERS,
            CommonSettings.MAILER_TOPIC_PREFIX,
            CommonSettings.DATABASE_URL,
            CommonSettings.MAIL_FROM,
            Setting.optional("MAILER_BOOTSTRAP_ADMIN_KEY", null,
                    v -> v.trim().length() < 32 ? "must be at least 32 characters" : null,
                    "admin API key accepted at first start to create real keys"),
            Setting.optional("UNSUBSCRIBE_BASE_URL", null, Checks.HTTP_URL, "public base URL of the unsubscribe endpoint"),
            Setting.optional("UNSUBSCRIBE_SECRET", null, Checks.NON_BLANK, "HMAC secret of unsubscribe tokens"),
            Setting.optional("INGRESS_MAX_RECIPIENTS", "10000", Checks.POSITIVE_INT, "max recipients of a JSON batch"),
            Setting.optional("INGRESS_CHUNK_SIZE", "500", Checks.POSITIVE_INT, "recipients per batch-commands record"),
            Setting.optional("INGRESS_MAX_NDJSON_RECIPIENTS", "1000000", Checks.POSITIVE_INT, "max recipients of an NDJSON batch"),
            Setting.optional("INGRESS_MAX_BODY_MB", "10", Checks.POSITIVE_INT, "max size of a JSON request body, in MB"),
            Setting.optional("INGRESS_RATE_LIMIT_PER_SECOND", "50", Checks.POSITIVE_INT, "requests per second per API key"),
            Setting.optional("INGRESS_RECIPIENTS_PER_DAY", "5000000", Checks.POSITIVE_INT, "recipients per day per API key"),
            Setting.optional("CORS_ALLOWED_ORIGINS", "", Checks.ANY, "comma-separated browser origins allowed by CORS (empty: none)"),
            Setting.optional("WEBHOOK_ALLOW_HTTP", "false", Checks.BOOLEAN, "accept http:// webhook URLs (local runs only)"),
            Setting.optional("WEBHOOK_ALLOWED_NETWORKS", "", io.mailer.schemas.webhooks.WebhookUrlPolicy::networksProblem,
                    "comma-separated CIDRs webhook URLs may resolve to although private/loopback/link-local"),
            // optional here: only the operator's SES account view (/admin/ses-account) reads them
            Setting.optional("AWS_REGION", null, Checks.NON_BLANK, "region of the SES account shown at /admin/ses-account (unset: not shown)"),
            Setting.optional("SES_ENDPOINT", null, Checks.HTTP_URL, "SES endpoint override (sandbox, emulator)"),
            Setting.optional("SES_MAX_SEND_RATE", null, Checks.POSITIVE_NUMBER,
                    "the dispatchers' configured send rate, shown as the rate in force at /admin/ses-account"));

    public static void main(String[] args) {
        MailerApplication.runOrExit(IngressApplication.class, SERVICE, SETTINGS, IngressApplication::springProperties, args);
    }

    public static ConfigurableApplicationContext start(Map<String, String> env) {
        return MailerApplication.start(IngressApplication.class, SERVICE, SETTINGS, env, IngressApplication::springProperties);
    }

    static Map<String, Object> springProperties(ServiceSettings s) {
        DatabaseUrl db = DatabaseUrl.parse(s.get("DATABASE_URL"));
        Map<String, Object> p = new HashMap<>();
        p.put("server.port", s.get("PORT"));
        p.put("spring.kafka.bootstrap-servers", s.get("KAFKA_BOOTSTRAP_SERVERS"));
        p.put("spring.r2dbc.url", db.r2dbcUrl());
        p.put("spring.r2dbc.username", db.username());
        p.put("spring.r2dbc.password", db.password());
        p.put("spring.liquibase.url", db.jdbcUrl());
        p.put("spring.liquibase.user", db.username());
        p.put("spring.liquibase.password", db.password());
        p.put("mailer.topics.prefix", s.get("MAILER_TOPIC_PREFIX"));
        p.put("mailer.ingress.default-from", s.has("MAIL_FROM") ? s.get("MAIL_FROM") : "");
        p.put("mailer.ingress.bootstrap-admin-key", s.has("MAILER_BOOTSTRAP_ADMIN_KEY") ? s.get("MAILER_BOOTSTRAP_ADMIN_KEY") : "");
        p.put("mailer.ingress.max-recipients", s.get("INGRESS_MAX_RECIPIENTS"));
        p.put("mailer.ingress.chunk-size", s.get("INGRESS_CHUNK_SIZE"));
        p.put("mailer.ingress.max-ndjson-recipients", s.get("INGRESS_MAX_NDJSON_RECIPIENTS"));
        // Boot 4 reads spring.http.codecs.* (spring.codec.* was removed: it silently left Spring's 256 KiB default)
        p.put("spring.http.codecs.max-in-memory-size", s.get("INGRESS_MAX_BODY_MB") + "MB");
        p.put("mailer.ingress.rate-limit-per-second", s.get("INGRESS_RATE_LIMIT_PER_SECOND"));
        p.put("mailer.ingress.recipients-per-day", s.get("INGRESS_RECIPIENTS_PER_DAY"));
        p.put("mailer.ingress.cors-allowed-origins", s.has("CORS_ALLOWED_ORIGINS") ? s.get("CORS_ALLOWED_ORIGINS") : "");
        p.put("mailer.ingress.unsubscribe-secret", s.has("UNSUBSCRIBE_SECRET") ? s.get("UNSUBSCRIBE_SECRET") : "");
        p.put("mailer.ingress.webhooks.allow-http", s.get("WEBHOOK_ALLOW_HTTP").toLowerCase());
        p.put("mailer.ingress.webhooks.allowed-networks", s.has("WEBHOOK_ALLOWED_NETWORKS") ? s.get("WEBHOOK_ALLOWED_NETWORKS") : "");
        p.put("mailer.ingress.ses.region", s.has("AWS_REGION") ? s.get("AWS_REGION") : "");
        p.put("mailer.ingress.ses.endpoint", s.has("SES_ENDPOINT") ? s.get("SES_ENDPOINT") : "");
        p.put("mailer.ingress.ses.max-send-rate", s.has("SES_MAX_SEND_RATE") ? s.get("SES_MAX_SEND_RATE") : "");
        // ingress reads PostgreSQL through R2DBC only; JDBC is only Liquibase's own connection
        p.put("spring.autoconfigure.exclude", String.join(",",
                "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
                "org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration",
                "org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration",
                "org.springframework.boot.jdbc.autoconfigure.JdbcClientAutoConfiguration",
                "org.springframework.boot.jdbc.autoconfigure.health.DataSourceHealthContributorAutoConfiguration",
                "org.springframework.boot.jdbc.autoconfigure.metrics.DataSourcePoolMetricsAutoConfiguration"));
        return p;
    }
}
