package io.mailer.devstack.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.platform.settings.UnusedAutoConfigurations;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfiguration;

/**
 * On the launcher's classpath (every service's dependencies together), each auto-configuration a
 * service excludes exists: a misspelt or renamed name would be skipped without a word, and the
 * service would start what it meant to turn off.
 */
class UnusedAutoConfigurationsTest {

    @Test
    void shouldNameAutoConfigurationsThatExistOnTheSharedClasspath() throws Exception {
        for (UnusedAutoConfigurations group : UnusedAutoConfigurations.values()) {
            for (String name : group.classNames()) {
                Class<?> type = Class.forName(name, false, getClass().getClassLoader());
                assertThat(type.isAnnotationPresent(AutoConfiguration.class)).as(name).isTrue();
            }
        }
    }
}
