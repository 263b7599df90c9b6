package io.mailer.platform.jobs;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Runs work on one instance at a time across replicas: a PostgreSQL session advisory lock named
 * by a string, held on a connection of its own while the work runs; an instance that finds it
 * taken skips the run.
 */
public final class AdvisoryLock {

    private AdvisoryLock() {
    }

    /** The work's result, or empty when another instance holds {@code name}. */
    public static <T> Optional<T> tryRun(DataSource dataSource, String name, Supplier<T> work) {
        try (Connection lock = dataSource.getConnection()) {
            lock.setAutoCommit(true);
            if (!call(lock, "SELECT pg_try_advisory_lock(hashtextextended(?, 0))", name)) {
                return Optional.empty();
            }
            try {
                return Optional.of(work.get());
            } finally {
                call(lock, "SELECT pg_advisory_unlock(hashtextextended(?, 0))", name);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Advisory lock '" + name + "' failed", e);
        }
    }

    private static boolean call(Connection c, String sql, String name) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, name);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }
}
