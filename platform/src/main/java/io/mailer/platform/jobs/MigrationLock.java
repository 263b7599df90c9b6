package io.mailer.platform.jobs;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import liquibase.integration.spring.SpringLiquibase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * One Liquibase migration at a time across every service and replica sharing the database: a
 * PostgreSQL advisory lock is taken before Spring's {@link SpringLiquibase} runs and released after.
 * Liquibase's own lock table does not cover creating its tables on an empty database, so services
 * starting together there (a first install) could fail with "relation databasechangelog already
 * exists" (liquibase#5254; seen in the black-box run with three services migrating at once).
 */
public final class MigrationLock implements BeanPostProcessor {

    static final String NAME = "mailer.liquibase.migrations";
    private static final Logger log = LoggerFactory.getLogger(MigrationLock.class);

    private final Map<String, Connection> held = new ConcurrentHashMap<>();

    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) throws BeansException {
        if (bean instanceof SpringLiquibase liquibase && liquibase.getDataSource() != null) {
            held.put(beanName, acquire(liquibase.getDataSource()));
        }
        return bean;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
        Connection c = held.remove(beanName);
        if (c != null) {
            release(c);
        }
        return bean;
    }

    /** Waits for the lock on a connection of its own (closing the connection would release it too). */
    public static Connection acquire(DataSource dataSource) {
        try {
            Connection c = dataSource.getConnection();
            c.setAutoCommit(true);
            long start = System.nanoTime();
            try (PreparedStatement s = c.prepareStatement("SELECT pg_advisory_lock(hashtextextended(?, 0))")) {
                s.setString(1, NAME);
                s.execute();
            }
            long waited = (System.nanoTime() - start) / 1_000_000;
            if (waited > 100) {
                log.info("Waited {} ms for another service's schema migration", waited);
            }
            return c;
        } catch (SQLException e) {
            throw new IllegalStateException("Could not take the migration lock", e);
        }
    }

    public static void release(Connection c) {
        try (c; PreparedStatement s = c.prepareStatement("SELECT pg_advisory_unlock(hashtextextended(?, 0))")) {
            s.setString(1, NAME);
            s.execute();
        } catch (SQLException e) {
            log.warn("Could not release the migration lock (it goes with the connection): {}", e.toString());
        }
    }
}
