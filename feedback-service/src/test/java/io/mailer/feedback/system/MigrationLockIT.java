package io.mailer.feedback.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.devstack.EmbeddedPostgresDb;
import io.mailer.platform.jobs.MigrationLock;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import liquibase.integration.spring.SpringLiquibase;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Services starting together on an empty database (a first install: ingress, feedback and the
 * webhook relay all migrate) each run the changelog; under the migration lock one runs it and the
 * others find it done. Without the lock Liquibase races creating its own tables
 * (-Dmailer.test.noMigrationLock=true shows it: "relation databasechangelog already exists").
 */
class MigrationLockIT {

    @Test
    void shouldLetSixServicesMigrateAnEmptyDatabaseAtOnce() throws Exception {
        boolean locked = !Boolean.getBoolean("mailer.test.noMigrationLock");
        try (EmbeddedPostgresDb db = EmbeddedPostgresDb.start()) {
            DriverManagerDataSource dataSource = new DriverManagerDataSource(db.jdbcUrl(), db.username(), db.password());
            int services = 6;
            CountDownLatch go = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(services);
            List<Future<?>> runs = new ArrayList<>();
            for (int i = 0; i < services; i++) {
                runs.add(pool.submit(() -> {
                    SpringLiquibase liquibase = new SpringLiquibase();
                    liquibase.setDataSource(dataSource);
                    liquibase.setChangeLog("classpath:db/changelog/db.changelog-master.yaml");
                    liquibase.setResourceLoader(new DefaultResourceLoader());
                    go.await();
                    Connection lock = locked ? MigrationLock.acquire(dataSource) : null;
                    try {
                        liquibase.afterPropertiesSet();
                    } finally {
                        if (lock != null) {
                            MigrationLock.release(lock);
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            List<Throwable> failures = new ArrayList<>();
            for (Future<?> run : runs) {
                try {
                    run.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    failures.add(e.getCause());
                }
            }
            pool.shutdown();
            assertThat(failures).as("services that failed to start").isEmpty();
            JdbcTemplate jdbc = new JdbcTemplate(dataSource);
            assertThat(jdbc.queryForObject("SELECT count(*) - count(DISTINCT id || filename) FROM databasechangelog", Long.class))
                    .as("each changeset ran once").isZero();
            assertThat(jdbc.queryForObject("SELECT count(*) FROM databasechangelog", Long.class)).isPositive();
        }
    }
}
