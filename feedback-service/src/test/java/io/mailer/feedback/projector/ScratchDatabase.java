package io.mailer.feedback.projector;

import io.mailer.devstack.EmbeddedPostgresDb;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A fresh PostgreSQL database for one test class: embedded PostgreSQL 17 (zonky), or, with
 * {@code -Dpg.server=jdbc:postgresql://host:port/} (plus {@code -Dpg.user}, {@code -Dpg.password};
 * a superuser), a new database on that server — to run the partition tests on another major version,
 * e.g. Debian's PostgreSQL 15.
 */
record ScratchDatabase(String jdbcUrl, String username, String password, AutoCloseable closer) implements AutoCloseable {

    static ScratchDatabase create() {
        String server = System.getProperty("pg.server");
        if (server == null || server.isBlank()) {
            EmbeddedPostgresDb db = EmbeddedPostgresDb.start();
            return new ScratchDatabase(db.jdbcUrl(), db.username(), db.password(), db::close);
        }
        String user = System.getProperty("pg.user", "postgres");
        String password = System.getProperty("pg.password", "");
        String name = "scratch_" + Long.toHexString(System.nanoTime());
        try (Connection c = DriverManager.getConnection(server + "postgres", user, password);
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return new ScratchDatabase(server + name, user, password, () -> {
        });
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, username, password);
    }

    @Override
    public void close() {
        try {
            closer.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
