package io.mailer.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailer.platform.settings.InvalidSettingsException;
import io.mailer.platform.settings.ServiceSettings;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Environment variables to Spring properties, and the startup refusal of a bad environment. */
class FeedbackApplicationTest {

    private static Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092");
        env.put("DATABASE_URL", "postgres://mailer:s3cret@db:5432/mailer");
        env.put("AWS_REGION", "eu-west-1");
        env.put("SQS_QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/123456789012/ses-events");
        return env;
    }

    @Test
    void shouldDeriveSpringPropertiesWithDefaults() {
        ServiceSettings settings = ServiceSettings.resolve("feedback-service", FeedbackApplication.SETTINGS, env());
        Map<String, Object> props = FeedbackApplication.springProperties(settings);
        assertThat(props).containsEntry("server.port", "3003")
                .containsEntry("spring.kafka.bootstrap-servers", "kafka:9092")
                .containsEntry("spring.kafka.consumer.group-id", "mailer.projector")
                .containsEntry("mailer.topics.prefix", "mailer.")
                .containsEntry("spring.datasource.url", "jdbc:postgresql://db:5432/mailer")
                .containsEntry("spring.datasource.username", "mailer")
                .containsEntry("spring.datasource.password", "s3cret")
                .containsEntry("mailer.feedback.intake.region", "eu-west-1")
                .containsEntry("mailer.feedback.intake.queue-url",
                        "https://sqs.eu-west-1.amazonaws.com/123456789012/ses-events")
                .containsEntry("mailer.feedback.intake.verify-signatures", "true")
                .containsEntry("mailer.feedback.intake.wait-seconds", "20")
                .containsEntry("mailer.feedback.intake.topic-arns", "")
                .containsEntry("mailer.feedback.intake.pollers", "8")
                .containsEntry("mailer.feedback.intake.max-in-flight", "500")
                .containsEntry("mailer.feedback.intake.soft-bounce-threshold", "3")
                .containsEntry("mailer.feedback.intake.soft-bounce-window", "7d")
                .containsEntry("mailer.feedback.partitions.retention-days", "90")
                .containsEntry("mailer.feedback.partitions.batch-retention-days", "400")
                .doesNotContainKey("mailer.feedback.intake.endpoint");
        assertThat((String) props.get("spring.autoconfigure.exclude"))
                .contains("org.springframework.boot.r2dbc.autoconfigure.R2dbcAutoConfiguration");
    }

    @Test
    void shouldKeepBatchRowsAtLeastAsLongAsTheViewWhenNoBatchRetentionIsSet() {
        Map<String, String> env = env();
        env.put("VIEW_RETENTION_DAYS", "1000");
        assertThat(FeedbackApplication.springProperties(ServiceSettings.resolve("feedback-service", FeedbackApplication.SETTINGS, env)))
                .containsEntry("mailer.feedback.partitions.batch-retention-days", "1000");
        env.put("BATCH_RETENTION_DAYS", "2000");
        assertThat(FeedbackApplication.springProperties(ServiceSettings.resolve("feedback-service", FeedbackApplication.SETTINGS, env)))
                .containsEntry("mailer.feedback.partitions.batch-retention-days", "2000");
    }

    @Test
    void shouldRefuseToStartNamingEveryBadVariable() {
        Map<String, String> env = env();
        env.remove("SQS_QUEUE_URL");
        env.put("SQS_WAIT_SECONDS", "30");
        env.put("SNS_VERIFY_SIGNATURES", "maybe");
        env.put("SOFT_BOUNCE_SUPPRESS_AFTER", "-1");
        env.put("VIEW_RETENTION_DAYS", "0");
        env.put("BATCH_RETENTION_DAYS", "a year");
        assertThatThrownBy(() -> FeedbackApplication.start(env))
                .isInstanceOfSatisfying(InvalidSettingsException.class, e -> assertThat(e.problems())
                        .hasSize(6)
                        .anySatisfy(p -> assertThat(p).startsWith("VIEW_RETENTION_DAYS must be a positive integer"))
                        .anySatisfy(p -> assertThat(p).startsWith("BATCH_RETENTION_DAYS must be a positive integer"))
                        .anySatisfy(p -> assertThat(p).startsWith("SOFT_BOUNCE_SUPPRESS_AFTER must be 0 or more"))
                        .anySatisfy(p -> assertThat(p).startsWith("SQS_QUEUE_URL is required"))
                        .anySatisfy(p -> assertThat(p).startsWith("SQS_WAIT_SECONDS must be 0-20"))
                        .anySatisfy(p -> assertThat(p).startsWith("SNS_VERIFY_SIGNATURES must be true or false")));
    }
}
