package io.mailer.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each Deployment gives its service every required variable, valid, and nothing misspelt. */
class ChartSettingsContractTest {

    static Stream<Arguments> renders() {
        return Stream.of(Arguments.of("required values only", null), Arguments.of("production", Chart.productionValues()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renders")
    @SuppressWarnings("unchecked")
    void shouldSatisfyEveryServicesSettings(String name, Path valuesFile) {
        Chart.Manifests manifests = Chart.render(valuesFile);
        Map<String, String> config = (Map<String, String>) manifests.get("ConfigMap", "mailer-config").get("data");

        for (String component : ServiceSettings.BY_COMPONENT.keySet()) {
            Map<String, Object> deployment = Workloads.deployment(manifests, component);
            // what the container sees: the ConfigMap, overridden by env; Secret values are present but unknown here
            Map<String, String> env = new HashMap<>(config);
            env.putAll(Workloads.plainEnv(deployment));
            Workloads.secretEnv(deployment).keySet().forEach(secret -> env.put(secret, null));
            // a file from a mounted Secret exists only in the pod: present, but not readable here
            Map<String, String> files = Workloads.secretFiles(deployment);
            Workloads.plainEnv(deployment).forEach((variable, value) -> {
                if (files.containsKey(value)) {
                    env.put(variable, null);
                }
            });

            assertThat(ServiceSettings.problems(component, env)).as(component).isEmpty();
            assertThat(ServiceSettings.unknown(component, Workloads.plainEnv(deployment).keySet(), false)).isEmpty();
            assertThat(ServiceSettings.unknown(component, config.keySet(), true)).isEmpty();
            // and every path the chart hands a service under /etc/mailer is a file it mounts
            assertThat(Workloads.plainEnv(deployment).values()).filteredOn(v -> v.startsWith("/etc/mailer/"))
                    .as(component).allMatch(files::containsKey);
        }
        assertThat(List.copyOf(ServiceSettings.BY_COMPONENT.keySet())).hasSize(5);
    }
}
