package io.mailer.dispatcher;

import io.mailer.platform.settings.Checks;
import io.mailer.platform.settings.CommonSettings;
import io.mailer.platform.settings.MailerApplication;
import io.mailer.platform.settings.ServiceSettings;
import io.mailer.platform.settings.Setting;
import io.mailer.platform.settings.UnusedAutoConfigurations;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The dispatcher: consumes {@code sends}, renders each request, calls SES v2 {@code SendEmail} and
 * writes SENT / FAILED to {@code delivery-events}.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class DispatcherApplication {

    public static final String SERVICE = "dispatcher-service";

    public static final Setting SES_ENDPOINT = Setting.optional("SES_ENDPOINT", null, Checks.HTTP_URL,
            "SES endpoint override (sandbox, emulator), e.g. http://localhost:4566");
    public static final Setting SES_CONFIGURATION_SET = Setting.optional("SES_CONFIGURATION_SET", null,
            Checks.NON_BLANK, "SES configuration set for event publishing");
    public static final Setting SES_MAX_SEND_RATE = Setting.optional("SES_MAX_SEND_RATE", null,
            Checks.POSITIVE_NUMBER, "the account's max SES sends per second, shared by all replicas (default: GetAccount MaxSendRate)");
    public static final Setting WORKER_CONCURRENCY = Setting.optional("WORKER_CONCURRENCY", "20",
            Checks.POSITIVE_INT, "max SES calls in flight per instance (a ceiling: fewer when the rate and SES latency need fewer)");
    public static final Setting DUPLICATE_WINDOW = Setting.optional("DUPLICATE_WINDOW", "1000",
            Checks.POSITIVE_INT, "max sends SES may have accepted that are not yet in the send ledger: the duplicate bound per crash");
    public static final Setting SES_SEND_MODE = Setting.optional("SES_SEND_MODE", "bulk",
            value -> value.equals("single") || value.equals("bulk") ? null : "must be single or bulk",
            "single: one SendEmail per recipient; bulk: SendBulkEmail, up to 50 recipients of a batch per call");
    public static final Setting UNSUBSCRIBE_BASE_URL = Setting.optional("UNSUBSCRIBE_BASE_URL", null,
            Checks.HTTP_URL, "public base URL of the unsubscribe endpoint, e.g. https://mail.example.com");
    public static final Setting UNSUBSCRIBE_SECRET = Setting.optional("UNSUBSCRIBE_SECRET", null,
            Checks.NON_BLANK, "HMAC secret of unsubscribe tokens (shared with ingress)");

    public static final List<Setting> SETTINGS = List.of(
            CommonSettings.KAFKA_BOOTSTRAP_SERVERS,
            CommonSettings.MAILER_TOPIC_PREFIX,
            CommonSettings.port("3002"),
            CommonSettings.AWS_REGION,
            SES_ENDPOINT,
            SES_CONFIGURATION_SET,
            SES_MAX_SEND_RATE,
            CommonSettings.MAIL_FROM,
            WORKER_CONCURRENCY,
            DUPLICATE_WINDOW,
            SES_SEND_MODE,
            UNSUBSCRIBE_BASE_URL,
            UNSUBSCRIBE_SECRET);

    public static void main(String[] args) {
        MailerApplication.runOrExit(DispatcherApplication.class, SERVICE, SETTINGS,
                DispatcherApplication::springProperties, args);
    }

    /** Starts the dispatcher with these variables laid over the process environment (launcher, tests). */
    public static ConfigurableApplicationContext start(Map<String, String> env) {
        return MailerApplication.start(DispatcherApplication.class, SERVICE, SETTINGS, env,
                DispatcherApplication::springProperties);
    }

    /** Maps the validated variables onto Spring properties; static defaults live in dispatcher-service.yml. */
    static Map<String, Object> springProperties(ServiceSettings s) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("spring.autoconfigure.exclude", UnusedAutoConfigurations.exclude(
                UnusedAutoConfigurations.JDBC, UnusedAutoConfigurations.R2DBC, UnusedAutoConfigurations.LIQUIBASE));
        p.put("server.port", s.get("PORT"));
        p.put("spring.kafka.bootstrap-servers", s.get("KAFKA_BOOTSTRAP_SERVERS"));
        p.put("mailer.topics.prefix", s.get("MAILER_TOPIC_PREFIX"));
        p.put("mailer.dispatcher.worker-concurrency", s.get("WORKER_CONCURRENCY"));
        p.put("mailer.dispatcher.duplicate-window", s.get("DUPLICATE_WINDOW"));
        p.put("mailer.dispatcher.ses.region", s.get("AWS_REGION"));
        p.put("mailer.dispatcher.ses.send-mode", s.get("SES_SEND_MODE"));
        putIfSet(p, s, "SES_ENDPOINT", "mailer.dispatcher.ses.endpoint");
        putIfSet(p, s, "SES_CONFIGURATION_SET", "mailer.dispatcher.ses.configuration-set");
        putIfSet(p, s, "SES_MAX_SEND_RATE", "mailer.dispatcher.ses.max-send-rate");
        putIfSet(p, s, "MAIL_FROM", "mailer.dispatcher.mail-from");
        putIfSet(p, s, "UNSUBSCRIBE_BASE_URL", "mailer.dispatcher.unsubscribe.base-url");
        putIfSet(p, s, "UNSUBSCRIBE_SECRET", "mailer.dispatcher.unsubscribe.secret");
        return p;
    }

    private static void putIfSet(Map<String, Object> p, ServiceSettings s, String variable, String property) {
        if (s.has(variable)) {
            p.put(property, s.get(variable));
        }
    }
}
