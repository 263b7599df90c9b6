package io.mailer.feedback;

import io.mailer.feedback.projector.PartitionMaintenance;
import io.mailer.feedback.projector.ProjectionRebuild;
import io.mailer.platform.settings.Checks;
import io.mailer.platform.settings.CommonSettings;
import io.mailer.platform.settings.DatabaseUrl;
import io.mailer.platform.settings.MailerApplication;
import io.mailer.platform.settings.ServiceSettings;
import io.mailer.platform.settings.Setting;
import io.mailer.platform.settings.UnusedAutoConfigurations;
import io.mailer.schemas.kafka.Topics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The feedback service: SES notifications from SQS to {@code delivery-events} and
 * {@code suppressions} (package {@code intake}), and the PostgreSQL projector of
 * {@code batch-commands}, {@code delivery-events} and {@code suppressions} (package {@code projector}).
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class FeedbackApplication {

    public static final String SERVICE_NAME = "feedback-service";

    public static final Setting SQS_QUEUE_URL = Setting.required("SQS_QUEUE_URL", Checks.HTTP_URL,
            "URL of the SQS queue SNS delivers SES events to");
    public static final Setting SQS_ENDPOINT = Setting.optional("SQS_ENDPOINT", null, Checks.HTTP_URL,
            "SQS endpoint override (ElasticMQ, LocalStack)");
    public static final Setting SNS_VERIFY_SIGNATURES = Setting.optional("SNS_VERIFY_SIGNATURES", "true",
            Checks.BOOLEAN, "verify SNS signatures; false only for raw message delivery or tests");
    public static final Setting SQS_WAIT_SECONDS = Setting.optional("SQS_WAIT_SECONDS", "20",
            FeedbackApplication::checkWaitSeconds, "SQS long-polling wait, 0-20 seconds");
    public static final Setting SNS_TOPIC_ARNS = Setting.optional("SNS_TOPIC_ARNS", "", Checks.ANY,
            "comma-separated SNS topic ARNs accepted; empty accepts any topic");

    public static final Setting SQS_POLLERS = Setting.optional("SQS_POLLERS", "8", Checks.POSITIVE_INT,
            "concurrent SQS receive loops (each long-polls batches of 10)");
    public static final Setting SQS_MAX_IN_FLIGHT = Setting.optional("SQS_MAX_IN_FLIGHT", "500", Checks.POSITIVE_INT,
            "SQS messages received and not yet acknowledged by Kafka and deleted, at most");
    public static final Setting SOFT_BOUNCE_SUPPRESS_AFTER = Setting.optional("SOFT_BOUNCE_SUPPRESS_AFTER", "3",
            FeedbackApplication::checkNonNegative, "soft bounces within SOFT_BOUNCE_WINDOW_DAYS that suppress; 0 = never");
    public static final Setting SOFT_BOUNCE_WINDOW_DAYS = Setting.optional("SOFT_BOUNCE_WINDOW_DAYS", "7",
            Checks.POSITIVE_INT, "window of the transient-bounce policy, in days");

    public static final Setting VIEW_RETENTION_DAYS = Setting.optional("VIEW_RETENTION_DAYS", "90",
            Checks.POSITIVE_INT, "days of recipient/event rows kept in the view (older daily partitions are dropped), at least 1");
    public static final Setting BATCH_RETENTION_DAYS = Setting.optional("BATCH_RETENTION_DAYS", "",
            v -> v.isBlank() ? null : Checks.POSITIVE_INT.problem(v),
            "days a batch's status and counters (batch rows) are kept, at least VIEW_RETENTION_DAYS; unset = the larger of 400 and VIEW_RETENTION_DAYS");

    public static final List<Setting> SETTINGS = List.of(
            CommonSettings.KAFKA_BOOTSTRAP_SERVERS,
            CommonSettings.MAILER_TOPIC_PREFIX,
            CommonSettings.port("3003"),
            CommonSettings.DATABASE_URL,
            CommonSettings.AWS_REGION,
            SQS_QUEUE_URL,
            SQS_ENDPOINT,
            SNS_VERIFY_SIGNATURES,
            SQS_WAIT_SECONDS,
            SNS_TOPIC_ARNS,
            SQS_POLLERS,
            SQS_MAX_IN_FLIGHT,
            SOFT_BOUNCE_SUPPRESS_AFTER,
            SOFT_BOUNCE_WINDOW_DAYS,
            VIEW_RETENTION_DAYS,
            BATCH_RETENTION_DAYS);

    public static void main(String[] args) {
        if (java.util.Arrays.asList(args).contains(ProjectionRebuild.ARG)) {
            // empty the view and forget the projector's offsets, then start as usual: it replays the topics
            ProjectionRebuild.run(System.getenv(), Topics.DEFAULT_PREFIX);
        }
        MailerApplication.runOrExit(FeedbackApplication.class, SERVICE_NAME, SETTINGS,
                FeedbackApplication::springProperties, args);
    }

    /** Starts the service with the given environment variables overlaid on the process environment. */
    public static ConfigurableApplicationContext start(Map<String, String> env) {
        return MailerApplication.start(FeedbackApplication.class, SERVICE_NAME, SETTINGS, env,
                FeedbackApplication::springProperties);
    }

    static Map<String, Object> springProperties(ServiceSettings s) {
        Map<String, Object> p = new LinkedHashMap<>();
        String prefix = s.get(CommonSettings.MAILER_TOPIC_PREFIX.name());
        p.put("server.port", s.get("PORT"));
        p.put("spring.kafka.bootstrap-servers", s.get(CommonSettings.KAFKA_BOOTSTRAP_SERVERS.name()));
        p.put("spring.kafka.consumer.group-id", prefix + "projector");
        p.put("mailer.topics.prefix", prefix);

        DatabaseUrl db = DatabaseUrl.parse(s.get(CommonSettings.DATABASE_URL.name()));
        p.put("spring.datasource.url", db.jdbcUrl());
        p.put("spring.datasource.username", db.username());
        p.put("spring.datasource.password", db.password());

        p.put("mailer.feedback.intake.region", s.get(CommonSettings.AWS_REGION.name()));
        p.put("mailer.feedback.intake.queue-url", s.get(SQS_QUEUE_URL.name()));
        if (s.has(SQS_ENDPOINT.name())) {
            p.put("mailer.feedback.intake.endpoint", s.get(SQS_ENDPOINT.name()));
        }
        p.put("mailer.feedback.intake.verify-signatures", s.get(SNS_VERIFY_SIGNATURES.name()).toLowerCase());
        p.put("mailer.feedback.intake.wait-seconds", s.get(SQS_WAIT_SECONDS.name()));
        p.put("mailer.feedback.intake.topic-arns", s.has(SNS_TOPIC_ARNS.name()) ? s.get(SNS_TOPIC_ARNS.name()) : "");

        p.put("mailer.feedback.intake.pollers", s.get(SQS_POLLERS.name()));
        p.put("mailer.feedback.intake.max-in-flight", s.get(SQS_MAX_IN_FLIGHT.name()));
        p.put("mailer.feedback.intake.soft-bounce-threshold", s.get(SOFT_BOUNCE_SUPPRESS_AFTER.name()));
        p.put("mailer.feedback.intake.soft-bounce-window", s.get(SOFT_BOUNCE_WINDOW_DAYS.name()) + "d");

        p.put("mailer.feedback.partitions.retention-days", s.get(VIEW_RETENTION_DAYS.name()));
        p.put("mailer.feedback.partitions.batch-retention-days", s.has(BATCH_RETENTION_DAYS.name())
                ? s.get(BATCH_RETENTION_DAYS.name())
                : Integer.toString(Math.max(PartitionMaintenance.DEFAULT_BATCH_RETENTION_DAYS, s.getInt(VIEW_RETENTION_DAYS.name()))));

        p.put("spring.autoconfigure.exclude", UnusedAutoConfigurations.exclude(UnusedAutoConfigurations.R2DBC));
        return p;
    }

    private static String checkNonNegative(String value) {
        try {
            return Integer.parseInt(value.trim()) >= 0 ? null : "must be 0 or more, got '" + value + "'";
        } catch (NumberFormatException e) {
            return "must be an integer, got '" + value + "'";
        }
    }

    private static String checkWaitSeconds(String value) {
        try {
            int n = Integer.parseInt(value.trim());
            return n >= 0 && n <= 20 ? null : "must be 0-20 (SQS long-polling limit), got '" + value + "'";
        } catch (NumberFormatException e) {
            return "must be an integer 0-20, got '" + value + "'";
        }
    }
}
