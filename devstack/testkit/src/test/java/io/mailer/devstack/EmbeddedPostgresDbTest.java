package io.mailer.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailer.platform.settings.DatabaseUrl;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedPostgresDbTest {

    @Test
    void shouldKeepDataAndPortAcrossStopAndRestart() throws Exception {
        try (EmbeddedPostgresDb db = EmbeddedPostgresDb.start()) {
            int port = db.port();
            // Given a committed row
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                s.execute("create table note (id int primary key, body text)");
                s.execute("insert into note values (1, 'before outage')");
            }
            // When the server stops, connections fail
            db.stop();
            assertThat(db.isRunning()).isFalse();
            assertThatThrownBy(db::connect).isInstanceOf(SQLException.class);

            // Then after restart the same URL reaches the same data
            db.restart();
            assertThat(db.port()).isEqualTo(port);
            assertThat(rows(db)).containsExactly("1:before outage");
        }
    }

    @Test
    void shouldExposeTheDatabaseUrlTheServicesParse() {
        try (EmbeddedPostgresDb db = EmbeddedPostgresDb.start()) {
            DatabaseUrl url = DatabaseUrl.parse(db.databaseUrl());
            assertThat(db.databaseUrl()).isEqualTo("postgres://mailer:mailer@localhost:" + db.port() + "/mailer");
            assertThat(url.jdbcUrl()).isEqualTo(db.jdbcUrl());
            assertThat(url.username()).isEqualTo("mailer");
            assertThat(url.password()).isEqualTo("mailer");
        }
    }

    @Test
    void shouldReuseExistingDataInAPersistentDataDir(@TempDir Path dataDir) throws Exception {
        int port;
        try (EmbeddedPostgresDb db = EmbeddedPostgresDb.start(dataDir, 0)) {
            port = db.port();
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                s.execute("create table note (id int primary key, body text)");
                s.execute("insert into note values (7, 'kept')");
            }
        }
        try (EmbeddedPostgresDb db = EmbeddedPostgresDb.start(dataDir, port)) {
            assertThat(rows(db)).containsExactly("7:kept");
        }
    }

    private static List<String> rows(EmbeddedPostgresDb db) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select id, body from note order by id")) {
            while (rs.next()) {
                rows.add(rs.getInt(1) + ":" + rs.getString(2));
            }
        }
        return rows;
    }
}
