package io.mailer.platform.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DatabaseUrlTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "postgres://mailer:s3cr%40t@db.internal:6543/mail",
            "postgresql://mailer:s3cr%40t@db.internal:6543/mail",
            "r2dbc:postgresql://mailer:s3cr%40t@db.internal:6543/mail",
            "jdbc:postgresql://db.internal:6543/mail?user=mailer&password=s3cr%40t"})
    void shouldAcceptEveryDocumentedForm(String url) {
        DatabaseUrl db = DatabaseUrl.parse(url);
        assertThat(db).isEqualTo(new DatabaseUrl("db.internal", 6543, "mail", "mailer", "s3cr@t"));
        assertThat(db.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6543/mail");
        assertThat(db.r2dbcUrl()).isEqualTo("r2dbc:postgresql://db.internal:6543/mail");
        assertThat(db.toString()).doesNotContain("s3cr");
    }

    @Test
    void shouldDefaultThePort() {
        assertThat(DatabaseUrl.parse("postgres://u:p@h/d").port()).isEqualTo(5432);
    }

    @Test
    void shouldCarryTlsSettingsIntoBothDriverUrls() {
        DatabaseUrl db = DatabaseUrl.parse("postgres://u:p@db.rds.example:5432/mailer?sslmode=verify-full"
                + "&sslrootcert=/etc/ssl/rds%20ca.pem");
        assertThat(db.jdbcUrl()).isEqualTo(
                "jdbc:postgresql://db.rds.example:5432/mailer?sslmode=verify-full&sslrootcert=%2Fetc%2Fssl%2Frds+ca.pem");
        assertThat(db.r2dbcUrl()).isEqualTo(
                "r2dbc:postgresql://db.rds.example:5432/mailer?sslmode=verify-full&sslRootCert=%2Fetc%2Fssl%2Frds+ca.pem");
        assertThat(DatabaseUrl.parse("jdbc:postgresql://h/d?user=u&sslmode=require").jdbcUrl())
                .isEqualTo("jdbc:postgresql://h:5432/d?sslmode=require");
    }

    @Test
    void shouldRefuseUnknownParametersAndSslModesInsteadOfDroppingThem() {
        assertThatThrownBy(() -> DatabaseUrl.parse("postgres://u:p@h/d?schema=public"))
                .hasMessage("has an unsupported parameter 'schema' (supported: sslmode, sslrootcert, user, password)");
        assertThatThrownBy(() -> DatabaseUrl.parse("postgres://u:p@h/d?sslmode=on"))
                .hasMessage("has sslmode=on; use one of disable, allow, prefer, require, verify-ca, verify-full");
    }

    @ParameterizedTest
    @ValueSource(strings = {"mysql://u:p@h/d", "postgres://u:p@h", "postgres://h:5432/d", "not a url"})
    void shouldRejectMalformedUrls(String url) {
        assertThatThrownBy(() -> DatabaseUrl.parse(url)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldNameEveryMissingOrMalformedVariableAtOnce() {
        List<Setting> spec = List.of(CommonSettings.KAFKA_BOOTSTRAP_SERVERS, CommonSettings.DATABASE_URL,
                CommonSettings.port("3000"), CommonSettings.MAILER_TOPIC_PREFIX);
        assertThatThrownBy(() -> ServiceSettings.resolve("svc", spec, Map.of("DATABASE_URL", "mysql://x/y", "PORT", "http")))
                .isInstanceOf(InvalidSettingsException.class)
                .satisfies(e -> assertThat(((InvalidSettingsException) e).problems()).hasSize(3)
                        .anyMatch(p -> p.startsWith("KAFKA_BOOTSTRAP_SERVERS is required"))
                        .anyMatch(p -> p.startsWith("DATABASE_URL must be a postgres://"))
                        .anyMatch(p -> p.startsWith("PORT must be a port number")));
    }

    @Test
    void shouldApplyDefaults() {
        ServiceSettings s = ServiceSettings.resolve("svc", List.of(CommonSettings.port("3000"), CommonSettings.MAILER_TOPIC_PREFIX), Map.of());
        assertThat(s.asMap()).isEqualTo(Map.of("PORT", "3000", "MAILER_TOPIC_PREFIX", "mailer."));
    }
}
