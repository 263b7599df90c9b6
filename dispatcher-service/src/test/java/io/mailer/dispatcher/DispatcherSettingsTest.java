package io.mailer.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mailer.platform.settings.InvalidSettingsException;
import io.mailer.platform.settings.ServiceSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DispatcherSettingsTest {

    @Test
    void shouldNameEveryBadVariableAtOnce() {
        assertThatThrownBy(() -> ServiceSettings.resolve("dispatcher-service", DispatcherApplication.SETTINGS,
                Map.of("SES_MAX_SEND_RATE", "-3", "WORKER_CONCURRENCY", "many", "SES_ENDPOINT", "ftp://x",
                        "SES_SEND_MODE", "batch")))
                .isInstanceOfSatisfying(InvalidSettingsException.class, e -> assertThat(e.problems())
                        .hasSize(6)
                        .anySatisfy(p -> assertThat(p).startsWith("SES_SEND_MODE must be single or bulk"))
                        .anySatisfy(p -> assertThat(p).startsWith("KAFKA_BOOTSTRAP_SERVERS is required"))
                        .anySatisfy(p -> assertThat(p).startsWith("AWS_REGION is required"))
                        .anySatisfy(p -> assertThat(p).startsWith("SES_MAX_SEND_RATE must be a positive number"))
                        .anySatisfy(p -> assertThat(p).startsWith("WORKER_CONCURRENCY must be a positive integer"))
                        .anySatisfy(p -> assertThat(p).startsWith("SES_ENDPOINT must be an http(s) URL")));
    }

    @Test
    void shouldMapVariablesOntoSpringPropertiesWithDefaults() {
        ServiceSettings settings = ServiceSettings.resolve("dispatcher-service", DispatcherApplication.SETTINGS,
                Map.of("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092", "AWS_REGION", "eu-west-1",
                        "SES_MAX_SEND_RATE", "14"));

        Map<String, Object> props = DispatcherApplication.springProperties(settings);

        assertThat(props).containsEntry("server.port", "3002")
                .containsEntry("spring.kafka.bootstrap-servers", "localhost:9092")
                .containsEntry("mailer.topics.prefix", "mailer.")
                .containsEntry("mailer.dispatcher.worker-concurrency", "20")
                .containsEntry("mailer.dispatcher.ses.region", "eu-west-1")
                .containsEntry("mailer.dispatcher.ses.max-send-rate", "14")
                .containsEntry("mailer.dispatcher.ses.send-mode", "bulk")
                .containsEntry("mailer.dispatcher.duplicate-window", "1000")
                .doesNotContainKeys("mailer.dispatcher.ses.endpoint", "mailer.dispatcher.unsubscribe.secret");
        assertThat((String) props.get("spring.autoconfigure.exclude"))
                .contains("DataSourceAutoConfiguration", "R2dbcAutoConfiguration", "LiquibaseAutoConfiguration");
    }
}
