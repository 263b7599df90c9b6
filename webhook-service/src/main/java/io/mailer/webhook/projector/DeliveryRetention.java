package io.mailer.webhook.projector;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Keeps {@code webhook_delivery} bounded: every {@code interval}, on one replica at a time (a
 * session advisory lock), deletes the deliveries made more than {@code retention} ago, and the
 * rows of endpoints deleted that long ago. Deletes go in chunks of {@link #CHUNK} rows, each its
 * own short transaction, so the projector's upserts never wait long behind one big delete.
 */
public final class DeliveryRetention implements SmartLifecycle {

    public static final int CHUNK = 5_000;
    private static final String LOCK = "SELECT pg_try_advisory_lock(hashtextextended('mailer.webhook.delivery-retention', 0))";
    private static final String UNLOCK = "SELECT pg_advisory_unlock(hashtextextended('mailer.webhook.delivery-retention', 0))";
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
    private final Duration interval;
    private final Counter pruned;
    private final Counter failures;
    private ScheduledExecutorService scheduler;

    public DeliveryRetention(DataSource dataSource, Duration retention, Duration interval, MeterRegistry registry) {
        this.dataSource = dataSource;
        this.jdbc = new JdbcTemplate(dataSource);
        this.retention = retention;
        this.interval = interval;
        this.pruned = Counter.builder("mailer.webhook.deliveries.pruned")
                .description("webhook_delivery rows deleted past WEBHOOK_DELIVERY_RETENTION_DAYS").register(registry);
        this.failures = Counter.builder("mailer.webhook.delivery.retention.failures")
                .description("delivery retention runs that failed (retried next interval)").register(registry);
    }

    public Duration retention() {
        return retention;
    }

    /** One run (also called by tests). */
    public Run runOnce() {
        try (Connection lock = dataSource.getConnection()) {
            lock.setAutoCommit(true);
            if (!query(lock, LOCK)) {
                return new Run(false, 0, 0);
            }
            try {
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
                    log.info("Webhook retention ({} days): deleted {} deliveries and {} deleted endpoints",
                            retention.toDays(), deliveries, endpoints);
                }
                return new Run(true, deliveries, endpoints);
            } finally {
                query(lock, UNLOCK);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Webhook delivery retention failed", e);
        }
    }

    private static boolean query(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    @Override
    public synchronized void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "webhook-retention");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                runOnce();
            } catch (RuntimeException e) {
                failures.increment();
                log.warn("Webhook delivery retention failed; retrying in {}", interval, e);
            }
        }, 1, interval.toMinutes(), TimeUnit.MINUTES);
    }

    @Override
    public synchronized void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return scheduler != null;
    }
}
