package io.mailer.webhook.projector;

import io.mailer.platform.jobs.AdvisoryLock;
import io.mailer.platform.jobs.PeriodicJob;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Keeps {@code webhook_delivery} bounded: every {@code interval}, on one replica at a time,
 * deletes the deliveries made more than {@code retention} ago, and the rows of endpoints deleted
 * that long ago. Deletes go in chunks of {@link #CHUNK} rows, each its own short transaction, so
 * the projector's upserts never wait long behind one big delete.
 */
public final class DeliveryRetention {

    public static final int CHUNK = 5_000;
    private static final String LOCK = "mailer.webhook.delivery-retention";
    private static final String DELETE_DELIVERIES = """
            DELETE FROM webhook_delivery WHERE ctid = ANY (ARRAY(
                SELECT ctid FROM webhook_delivery WHERE created_at < now() - make_interval(secs => ?) LIMIT ?))""";
    private static final String DELETE_ENDPOINTS = """
            DELETE FROM webhook_endpoint WHERE deleted AND updated_at < now() - make_interval(secs => ?)""";
    private static final Logger log = LoggerFactory.getLogger(DeliveryRetention.class);

    /** What one run deleted; {@code ran} is false when another replica held the lock. */
    public record Run(boolean ran, long deliveries, long endpoints) {
    }

    private final DataSource dataSource;
    private final JdbcTemplate jdbc;
    private final Duration retention;
    private final Counter pruned;
    private final PeriodicJob job;

    public DeliveryRetention(DataSource dataSource, Duration retention, Duration interval, MeterRegistry registry) {
        this.dataSource = dataSource;
        this.jdbc = new JdbcTemplate(dataSource);
        this.retention = retention;
        this.pruned = Counter.builder("mailer.webhook.deliveries.pruned")
                .description("webhook_delivery rows deleted past WEBHOOK_DELIVERY_RETENTION_DAYS").register(registry);
        Counter failures = Counter.builder("mailer.webhook.delivery.retention.failures")
                .description("delivery retention runs that failed (retried next interval)").register(registry);
        this.job = new PeriodicJob("webhook-retention", Duration.ofMinutes(1), interval, this::runOnce, e -> {
            failures.increment();
            log.warn("Webhook delivery retention failed; retrying in {}", interval, e);
        });
    }

    public Duration retention() {
        return retention;
    }

    /** One run (also called by tests). */
    public Run runOnce() {
        return AdvisoryLock.tryRun(dataSource, LOCK, this::deleteExpired).orElse(new Run(false, 0, 0));
    }

    private Run deleteExpired() {
        long seconds = retention.toSeconds();
        long deliveries = 0;
        int n;
        do {
            n = jdbc.update(DELETE_DELIVERIES, seconds, CHUNK);
            deliveries += n;
            pruned.increment(n);
        } while (n == CHUNK);
        long endpoints = jdbc.update(DELETE_ENDPOINTS, seconds);
        if (deliveries > 0 || endpoints > 0) {
            log.info("Webhook retention ({} days): deleted {} deliveries and {} deleted endpoints", retention.toDays(),
                    deliveries, endpoints);
        }
        return new Run(true, deliveries, endpoints);
    }

    /** The schedule, a bean of its own (a SmartLifecycle): started with the context, stopped with it. */
    public PeriodicJob schedule() {
        return job;
    }
}
