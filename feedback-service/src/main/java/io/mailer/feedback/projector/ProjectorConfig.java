package io.mailer.feedback.projector;

import io.mailer.feedback.system.FeedbackTopics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.backoff.ExponentialBackOff;

/** Wiring of the projector. */
@Configuration(proxyBeanMethods = false)
public class ProjectorConfig {

    @Bean
    public ProjectorListener projectorListener(FeedbackTopics topics, JdbcTemplate jdbc,
            PlatformTransactionManager transactionManager, KafkaTemplate<String, byte[]> kafka,
            MeterRegistry registry) {
        return new ProjectorListener(
                new RecordDecoder(topics.topics()),
                new ProjectionWriter(jdbc, new TransactionTemplate(transactionManager)),
                new ProjectorDeadLetters(kafka, topics.projectorDlt(), registry),
                registry);
    }

    /**
     * Picked up by Boot's listener container factory. Poison records never reach it (the listener
     * dead-letters them); what does is infrastructure trouble, retried without limit — 0.5 s
     * doubling to 30 s — so the projector resumes by itself when PostgreSQL is back.
     */
    @Bean
    public CommonErrorHandler projectorErrorHandler() {
        ExponentialBackOff backOff = new ExponentialBackOff(500, 2.0);
        backOff.setMaxInterval(30_000);
        return new DefaultErrorHandler(backOff);
    }
}
