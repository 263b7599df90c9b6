package io.mailer.feedback.projector;

import io.mailer.feedback.system.FeedbackTopics;
import io.mailer.platform.jobs.PeriodicJob;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
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
class ProjectorConfig {

    @Bean
    public ViewPartitions viewPartitions(JdbcTemplate jdbc,
            @Value("${mailer.feedback.partitions.retention-days:" + ViewPartitions.DEFAULT_RETENTION_DAYS + "}") int retentionDays) {
        return new ViewPartitions(jdbc, retentionDays);
    }

    /** Partitions ahead, retention (VIEW_RETENTION_DAYS) and dead-letter replay claims; one instance at a time. */
    @Bean
    @ConditionalOnProperty(name = "mailer.feedback.partitions.maintenance-enabled", matchIfMissing = true)
    public PartitionMaintenance partitionMaintenance(DataSource dataSource, ViewPartitions partitions,
            @Value("${mailer.feedback.partitions.days-ahead:" + ViewPartitions.DEFAULT_DAYS_AHEAD + "}") int daysAhead,
            @Value("${mailer.feedback.partitions.interval:PT1H}") Duration interval,
            @Value("${mailer.feedback.partitions.batch-retention-days:" + PartitionMaintenance.DEFAULT_BATCH_RETENTION_DAYS + "}")
            int batchRetentionDays, MeterRegistry registry) {
        return new PartitionMaintenance(dataSource, partitions, daysAhead, interval, batchRetentionDays, registry);
    }

    @Bean
    @ConditionalOnProperty(name = "mailer.feedback.partitions.maintenance-enabled", matchIfMissing = true)
    public PeriodicJob partitionMaintenanceSchedule(PartitionMaintenance maintenance) {
        return maintenance.schedule();
    }

    @Bean
    public ProjectorListener projectorListener(FeedbackTopics topics, JdbcTemplate jdbc,
            PlatformTransactionManager transactionManager, KafkaTemplate<String, byte[]> kafka,
            MeterRegistry registry, ViewPartitions partitions) {
        return new ProjectorListener(
                new RecordDecoder(topics.topics()),
                new ProjectionWriter(jdbc, new TransactionTemplate(transactionManager), partitions),
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
