package io.mailer.helm;

import static io.mailer.helm.Chart.Tree.at;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The ECS templates (deploy/ecs) rendered with example.env as render.sh does: every service's task
 * definition gives it each required variable, valid, from its environment or Secrets Manager, fits
 * its JVM into the container's memory, checks health on the service's port and logs to CloudWatch.
 */
class EcsTemplatesTest {

    static final Path DIR = Chart.repoRoot().resolve("deploy/ecs");
    static final Map<String, String> SERVICES = ComposeFileTest.SERVICES;
    static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z_]+)}");

    /** example.env as bash reads it (KEY=value, optionally single-quoted). */
    static Map<String, String> exampleValues() {
        Map<String, String> values = new LinkedHashMap<>();
        Chart.read(DIR.resolve("example.env")).lines().filter(l -> !l.isBlank() && !l.startsWith("#")).forEach(l -> {
            String value = l.substring(l.indexOf('=') + 1);
            values.put(l.substring(0, l.indexOf('=')), value.startsWith("'") ? value.substring(1, value.length() - 1) : value);
        });
        return values;
    }

    /** envsubst: every placeholder replaced; an unknown one fails. */
    static Map<String, Object> render(Path template) {
        Map<String, String> values = exampleValues();
        Matcher m = PLACEHOLDER.matcher(Chart.read(template));
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            assertThat(values).as("%s: placeholder %s has a value in example.env", template.getFileName(), m.group(1)).containsKey(m.group(1));
            // JSON-escaped, as the values sit inside JSON strings
            m.appendReplacement(out, Matcher.quoteReplacement(values.get(m.group(1)).replace("\\", "\\\\").replace("\"", "\\\"")));
        }
        m.appendTail(out);
        try {
            return Chart.JSON.readValue(out.toString(), new TypeReference<Map<String, Object>>() { });
        } catch (IOException e) {
            throw new AssertionError(template + " is not JSON once rendered", e);
        }
    }

    @Test
    void shouldGiveEveryServiceItsRequiredVariablesWithValidValues() {
        SERVICES.forEach((service, component) -> {
            Map<String, Object> container = Chart.Tree.require(render(DIR.resolve(service + ".json")), "containerDefinitions[0]");
            Map<String, String> env = new HashMap<>();
            ((List<Map<String, String>>) container.get("environment")).forEach(e -> env.put(e.get("name"), e.get("value")));
            List<Map<String, String>> secrets = (List<Map<String, String>>) container.getOrDefault("secrets", List.of());
            for (Map<String, String> secret : secrets) {
                // present in the task, value in Secrets Manager or SSM
                assertThat(secret.get("valueFrom")).matches("arn:aws:(secretsmanager|ssm):.*");
                env.put(secret.get("name"), null);
            }

            assertThat(ServiceSettings.problems(component, env)).as(service).isEmpty();
            assertThat(ServiceSettings.unknown(component, env.keySet(), false)).as(service).isEmpty();
            assertThat(env).as(service + ": secrets never in the plain environment")
                    .doesNotContainKeys(secrets.isEmpty() ? "DATABASE_URL" : "UNSUBSCRIBE_SECRET_PLAIN");
            assertThat(((List<Map<String, String>>) container.get("environment")).stream().map(e -> e.get("name")))
                    .doesNotContain("DATABASE_URL", "UNSUBSCRIBE_SECRET", "MAILER_BOOTSTRAP_ADMIN_KEY");
        });
    }

    @Test
    void shouldRunOnFargateHardenedWithHealthChecksAndCloudWatchLogs() {
        SERVICES.forEach((service, component) -> {
            Map<String, Object> task = render(DIR.resolve(service + ".json"));
            Map<String, Object> container = Chart.Tree.require(task, "containerDefinitions[0]");
            String port = Workloads.PORTS.get(component).toString();

            assertThat(task).containsEntry("networkMode", "awsvpc").containsEntry("requiresCompatibilities", List.of("FARGATE"));
            assertThat((String) task.get("taskRoleArn")).endsWith("role/mailer-" + service);
            assertThat(container).containsEntry("readonlyRootFilesystem", true).containsEntry("user", "1000:1000");
            assertThat((Integer) at(container, "portMappings[0].containerPort")).hasToString(port);
            assertThat((List<String>) at(container, "healthCheck.command"))
                    .containsExactly("CMD-SHELL", "curl -fsS http://localhost:" + port + "/api/v1/health || exit 1");
            assertThat((String) at(container, "logConfiguration.logDriver")).isEqualTo("awslogs");
            assertThat((String) at(container, "logConfiguration.options.awslogs-region")).isEqualTo("eu-west-1");
            // the read-only root filesystem needs a writable /tmp (task storage: exec allowed)
            assertThat((List<Map<String, Object>>) container.get("mountPoints")).extracting(mp -> mp.get("containerPath")).contains("/tmp");
            // graceful shutdown inside Fargate's 120 s ceiling
            assertThat((Integer) container.get("stopTimeout")).isBetween(30, 120);
        });
    }

    @Test
    void shouldFitEachJvmIntoItsContainersMemory() {
        SERVICES.forEach((service, component) -> {
            Map<String, Object> task = render(DIR.resolve(service + ".json"));
            Map<String, Object> container = Chart.Tree.require(task, "containerDefinitions[0]");
            Map<String, String> env = new HashMap<>();
            ((List<Map<String, String>>) container.get("environment")).forEach(e -> env.put(e.get("name"), e.get("value")));
            long limit = ((Integer) container.get("memory")) * RequiredValuesInstallTest.MI;
            String options = env.get("JAVA_TOOL_OPTIONS");

            long total = (long) (limit * RequiredValuesInstallTest.percent(options, "MaxRAMPercentage") / 100)
                    + RequiredValuesInstallTest.flagBytes(options, "MaxDirectMemorySize")
                    + RequiredValuesInstallTest.flagBytes(options, "MaxMetaspaceSize")
                    + RequiredValuesInstallTest.flagBytes(options, "ReservedCodeCacheSize")
                    + RequiredValuesInstallTest.JVM_NATIVE_OVERHEAD
                    + (component.equals("topology") ? Long.parseLong(env.get("STREAMS_ROCKSDB_MEMORY_MB")) * RequiredValuesInstallTest.MI : 0);
            assertThat(total).as(service).isLessThanOrEqualTo(limit);
            assertThat(Long.parseLong((String) task.get("memory"))).as(service + " task memory").isGreaterThanOrEqualTo((Integer) container.get("memory"));
        });
    }

    @Test
    void shouldScaleLikeTheChartWithAppAutoScaling() throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(DIR.resolve("autoscaling"))) {
            files = list.sorted().toList();
        }
        Map<String, Map<String, Object>> byName = new LinkedHashMap<>();
        files.forEach(f -> byName.put(f.getFileName().toString(), render(f)));

        assertThat(byName.keySet()).containsExactly("dispatcher-service-cpu-policy.json", "dispatcher-service-lag-policy.json",
                "dispatcher-service-target.json", "feedback-service-cpu-policy.json", "feedback-service-sqs-depth-policy.json",
                "feedback-service-target.json", "ingress-service-cpu-policy.json", "ingress-service-target.json",
                "webhook-service-cpu-policy.json", "webhook-service-target.json");
        // the chart's webhook HPA: 2-6 replicas at 70 % CPU
        assertThat(byName.get("webhook-service-target.json")).containsEntry("ResourceId", "service/mailer/mailer-webhook-service")
                .containsEntry("MinCapacity", 2).containsEntry("MaxCapacity", 6);
        assertThat(byName.get("dispatcher-service-target.json")).containsEntry("ResourceId", "service/mailer/mailer-dispatcher-service")
                .containsEntry("MinCapacity", 3).containsEntry("MaxCapacity", 20);
        // lag per running task, from MSK's consumer-group metric
        Map<String, Object> lag = byName.get("dispatcher-service-lag-policy.json");
        assertThat((String) at(lag, "TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification.Metrics[2].Expression"))
                .isEqualTo("backlog / tasks");
        assertThat((List<Map<String, String>>) at(lag, "TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification.Metrics[0].MetricStat.Metric.Dimensions"))
                .contains(Map.of("Name", "Consumer Group", "Value", "mailer.dispatcher"), Map.of("Name", "Topic", "Value", "mailer.sends"));
        assertThat((String) at(byName.get("feedback-service-sqs-depth-policy.json"),
                "TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification.Metrics[0].MetricStat.Metric.MetricName"))
                .isEqualTo("ApproximateNumberOfMessagesVisible");
    }
}
