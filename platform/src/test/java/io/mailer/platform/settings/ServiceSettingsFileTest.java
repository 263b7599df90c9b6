package io.mailer.platform.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** NAME_FILE: a setting read from a file, as Docker and Swarm secrets are mounted. */
class ServiceSettingsFileTest {

    static final List<Setting> SPEC = List.of(
            Setting.required("DATABASE_URL", Checks.NON_BLANK, "database"),
            Setting.optional("UNSUBSCRIBE_SECRET", null, Checks.NON_BLANK, "HMAC secret"));

    @Test
    void shouldReadASettingFromTheFileNamedByItsFileVariable(@TempDir Path dir) throws Exception {
        // Given the database URL in a secret file with the trailing newline `echo` writes
        Path secret = Files.writeString(dir.resolve("database-url"), "postgres://u:p@db:5432/mailer\n");

        ServiceSettings settings = ServiceSettings.resolve("ingress-service", SPEC, Map.of("DATABASE_URL_FILE", secret.toString()));

        // Then the value is the file's content, and an optional setting without either stays absent
        assertThat(settings.asMap()).isEqualTo(Map.of("DATABASE_URL", "postgres://u:p@db:5432/mailer"));
    }

    @Test
    void shouldNameAnUnreadableFileAndAValueGivenTwice(@TempDir Path dir) throws Exception {
        Path secret = Files.writeString(dir.resolve("s"), "x");

        assertThatThrownBy(() -> ServiceSettings.resolve("ingress-service", SPEC, Map.of("DATABASE_URL_FILE", "/run/secrets/missing")))
                .isInstanceOf(InvalidSettingsException.class)
                .hasMessageContaining("DATABASE_URL_FILE names a file that cannot be read: /run/secrets/missing");
        assertThatThrownBy(() -> ServiceSettings.resolve("ingress-service", SPEC, Map.of("DATABASE_URL", "postgres://a/b",
                "UNSUBSCRIBE_SECRET", "y", "UNSUBSCRIBE_SECRET_FILE", secret.toString())))
                .isInstanceOf(InvalidSettingsException.class)
                .hasMessageContaining("UNSUBSCRIBE_SECRET and UNSUBSCRIBE_SECRET_FILE are both set");
    }

    @Test
    void shouldCheckAFilesValueLikeAnyOther(@TempDir Path dir) throws Exception {
        Path empty = Files.writeString(dir.resolve("empty"), "\n");

        assertThatThrownBy(() -> ServiceSettings.resolve("ingress-service", SPEC, Map.of("DATABASE_URL_FILE", empty.toString())))
                .isInstanceOf(InvalidSettingsException.class).hasMessageContaining("DATABASE_URL is required");
    }
}
