package io.mailer.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** deploy/swarm/mailer-stack.yml: a valid v3.8 stack whose secrets arrive as Docker secrets (*_FILE). */
class SwarmStackTest {

    static final Path STACK = Chart.repoRoot().resolve("deploy/swarm/mailer-stack.yml");
    static final Map<String, String> VARIABLES = Map.of("KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9092", "MAIL_FROM", "Example <no-reply@example.com>",
            "UNSUBSCRIBE_BASE_URL", "https://mail.example.com", "SQS_QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/123456789012/mailer-ses-events");

    @SuppressWarnings("unchecked")
    static Map<String, Object> stack() {
        String text = Chart.read(STACK);
        for (var e : VARIABLES.entrySet()) {
            text = text.replaceAll("\\$\\{" + e.getKey() + ":\\?[^}]*}", java.util.regex.Matcher.quoteReplacement(e.getValue()));
        }
        text = text.replaceAll("\\$\\{[A-Z_]+:-([^}]*)}", "$1");
        assertThat(text).doesNotContain("${");
        return new Yaml().load(text);
    }

    @Test
    void shouldPassTheV38SchemaOfDockerComposeConfig() throws Exception {
        Path binary = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .map(dir -> Path.of(dir, "docker-compose")).filter(Files::isExecutable).findFirst().orElse(null);
        assumeTrue(binary != null, "docker-compose is not installed: the schema check is skipped");

        ProcessBuilder builder = new ProcessBuilder(binary.toString(), "-f", STACK.toString(), "config", "-q").redirectErrorStream(true);
        builder.environment().putAll(VARIABLES);
        Process process = builder.start();
        boolean finished = process.waitFor(60, TimeUnit.SECONDS);
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(finished).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).isBlank();
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldDeployEachServiceWithReplicasLimitsRollingUpdatesAndRollback() {
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) stack().get("services");
        assertThat(services).containsOnlyKeys(ComposeFileTest.SERVICES.keySet());
        services.forEach((name, service) -> {
            assertThat(service).doesNotContainKeys("build", "depends_on", "mem_limit", "tmpfs");
            assertThat(Chart.Tree.<Integer>at(service, "deploy.replicas")).as(name).isPositive();
            assertThat(Chart.Tree.<String>at(service, "deploy.resources.limits.memory")).as(name).isNotBlank();
            assertThat(Chart.Tree.<String>at(service, "deploy.update_config.failure_action")).as(name).isEqualTo("rollback");
            assertThat(Chart.Tree.<Object>at(service, "deploy.rollback_config")).as(name).isNotNull();
            assertThat((List<Map<String, Object>>) service.get("volumes")).as(name)
                    .anyMatch(v -> "tmpfs".equals(v.get("type")) && "/tmp".equals(v.get("target")));
            assertThat(service).containsEntry("read_only", true).containsEntry("user", "1000:1000");
            // Swarm kills unhealthy tasks: liveness only, an unready task (restoring, SES paused) must live
            assertThat(Chart.Tree.<List<String>>at(service, "healthcheck.test")).as(name).last().asString().endsWith("/api/v1/health");
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldGiveEachServiceItsRequiredVariablesWithSecretsAsDockerSecretFiles() {
        Map<String, Object> stack = stack();
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) stack.get("services");
        Map<String, Object> declared = (Map<String, Object>) stack.get("secrets");
        ComposeFileTest.SERVICES.forEach((name, component) -> {
            Map<String, String> env = new HashMap<>();
            ((Map<String, Object>) services.get(name).get("environment")).forEach((k, v) -> env.put(k, String.valueOf(v)));

            assertThat(ServiceSettings.problems(component, env)).as(name).isEmpty();
            assertThat(ServiceSettings.unknown(component, env.keySet(), false)).as(name).isEmpty();
            assertThat(env).as(name).doesNotContainKeys("DATABASE_URL", "UNSUBSCRIBE_SECRET", "MAILER_BOOTSTRAP_ADMIN_KEY");
            List<String> granted = (List<String>) services.get(name).getOrDefault("secrets", List.of());
            env.forEach((variable, value) -> {
                if (variable.endsWith("_FILE")) {
                    // the file is a secret this service is granted and the stack declares
                    String secret = value.substring("/run/secrets/".length());
                    assertThat(value).startsWith("/run/secrets/");
                    assertThat(granted).as(name + " " + variable).contains(secret);
                    assertThat(declared).containsEntry(secret, Map.of("external", true));
                }
            });
        });
    }
}
