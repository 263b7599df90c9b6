package io.mailer.feedback.intake.pipeline;

import io.mailer.feedback.intake.IntakeMetrics;
import io.mailer.feedback.intake.IntakeProperties;
import io.mailer.feedback.intake.ses.BouncePolicy;
import io.mailer.feedback.intake.ses.JdbcSendLookup;
import io.mailer.feedback.intake.ses.NotificationReader;
import io.mailer.feedback.intake.ses.SesEventMapper;
import io.mailer.feedback.intake.sns.SignatureVerifier;
import io.mailer.feedback.intake.sns.SnsSdkSignatureVerifier;
import io.mailer.feedback.intake.sqs.SqsClients;
import io.mailer.feedback.intake.sqs.SqsPoller;
import io.mailer.feedback.system.FeedbackTopics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.core.KafkaTemplate;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.messagemanager.sns.SnsMessageManager;
import software.amazon.awssdk.regions.Region;

/** Wiring of the SQS intake. */
@Configuration(proxyBeanMethods = false)
class IntakeConfig {

    @Bean(destroyMethod = "close")
    public SqsClients sqsClients(IntakeProperties properties) {
        return SqsClients.create(properties);
    }

    @Bean
    public SignatureVerifier signatureVerifier(IntakeProperties properties) {
        if (!properties.verifySignatures()) {
            return SignatureVerifier.DISABLED;
        }
        SdkHttpClient http = UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(5)).socketTimeout(Duration.ofSeconds(5)).build();
        SnsMessageManager manager = SnsMessageManager.builder()
                .region(Region.of(properties.region())).httpClient(http).build();
        return new SnsSdkSignatureVerifier(manager, http);
    }

    @Bean
    public IntakeMetrics intakeMetrics(MeterRegistry registry) {
        return new IntakeMetrics(registry);
    }

    @Bean
    public MessageHandler messageHandler(SignatureVerifier verifier, IntakeProperties properties,
            KafkaTemplate<String, byte[]> kafkaTemplate, FeedbackTopics topics, IntakeMetrics metrics,
            JdbcTemplate jdbc) {
        return new MessageHandler(
                new NotificationReader(verifier, properties.topicArns()),
                new SesEventMapper(BouncePolicy.SES_CLASSIFICATION,
                        new JdbcSendLookup(jdbc, properties.correlationGrace(), Clock.systemUTC())),
                new SoftBounceSuppressor(properties.softBounceThreshold(), properties.softBounceWindow(),
                        new JdbcSoftBounceHistory(jdbc)),
                new FeedbackPublisher(kafkaTemplate, topics),
                metrics);
    }

    @Bean
    public SqsPoller sqsPoller(SqsClients sqs, IntakeProperties properties, MessageHandler handler,
            IntakeMetrics metrics) {
        return new SqsPoller(sqs, properties, handler, metrics);
    }
}
