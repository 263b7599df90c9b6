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

/** docker-compose.yml runs the whole stack, each service configured as its settings demand. */
class ComposeFileTest {

    static final Path COMPOSE = Chart.repoRoot().resolve("docker-compose.yml");
    static final Map<String, String> SERVICES = Map.of("ingress-service", "ingress", "topology", "topology",
            "dispatcher-service", "dispatcher", "feedback-service", "feedback", "webhook-service", "webhook");

    /** The file as compose sees it: SnakeYAML resolves the anchors and merge keys. */
    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> services() {
        Map<String, Object> compose = new Yaml().load(Chart.read(COMPOSE));
        return (Map<String, Map<String, Object>>) compose.get("services");
    }

    @Test
    void shouldPassDockerComposeConfig() throws Exception {
        Path binary = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .map(dir -> Path.of(dir, "docker-compose")).filter(Files::isExecutable).findFirst().orElse(null);
        assumeTrue(binary != null,
                "docker-compose is not installed (Debian: apt-get install docker-compose): `docker-compose config -q` skipped");

        Process process = new ProcessBuilder(binary.toString(), "-f", COMPOSE.toString(), "config", "-q")
                .redirectErrorStream(true).start();
        boolean finished = process.waitFor(60, TimeUnit.SECONDS);
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(finished).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).isBlank();
    }

    @Test
    void shouldRunTheInfrastructureFromPinnedOfficialImages() {
        Map<String, Map<String, Object>> services = services();

        assertThat(services).containsOnlyKeys("kafka", "postgres", "elasticmq", "ses-sandbox",
                "ingress-service", "topology", "dispatcher-service", "feedback-service", "webhook-service");
        assertThat(services.get("kafka").get("image")).isEqualTo("apache/kafka:4.1.2");
        assertThat((String) services.get("postgres").get("image")).startsWith("postgres:17.");
        assertThat((String) services.get("elasticmq").get("image")).startsWith("softwaremill/elasticmq-native:1.");
        assertThat(Chart.Tree.<String>at(services.get("kafka"), "environment.KAFKA_PROCESS_ROLES")).isEqualTo("broker,controller");
    }

    @Test
    void shouldStartEachServiceHardenedAfterWhatItNeedsIsHealthy() {
        Map<String, Map<String, Object>> services = services();
        Map<String, List<String>> needs = Map.of(
                "ingress-service", List.of("kafka", "postgres"),
                "topology", List.of("kafka"),
                "dispatcher-service", List.of("kafka", "ses-sandbox"),
                "feedback-service", List.of("kafka", "postgres"),
                "webhook-service", List.of("kafka", "postgres"));

        needs.forEach((name, dependencies) -> {
            Map<String, Object> service = services.get(name);
            Map<String, Object> dependsOn = Chart.Tree.require(service, "depends_on");
            for (String dependency : dependencies) {
                assertThat(Chart.Tree.<String>at(dependsOn, dependency + ".condition")).as(name + " → " + dependency)
                        .isEqualTo("service_healthy");
                assertThat(Chart.Tree.<Object>at(services.get(dependency), "healthcheck.test")).as(dependency).isNotNull();
            }
            assertThat(service).containsEntry("user", "1000:1000").containsEntry("read_only", true)
                    .containsEntry("cap_drop", List.of("ALL"));
            String port = Chart.Tree.require(service, "environment.PORT");
            assertThat((List<String>) service.get("ports")).containsExactly(port + ":" + port);
            assertThat(Chart.Tree.<List<String>>at(service, "healthcheck.test"))
                    .containsExactly("CMD", "curl", "-fsS", "http://localhost:" + port + "/api/v1/ready");
            assertThat(Chart.Tree.<Map<String, String>>at(service, "build.args")).containsEntry("MODULE", name);
        });
        assertThat(Chart.Tree.<String>at(services.get("feedback-service"), "depends_on.elasticmq.condition"))
                .isEqualTo("service_healthy");
    }

    @Test
    void shouldGiveEveryContainerAMemoryLimitAndTheServicesAnExecTmp() {
        Map<String, Map<String, Object>> services = services();

        services.forEach((name, service) -> assertThat(service.get("mem_limit")).as(name + " mem_limit").isNotNull());
        assertThat(services.get("topology").get("mem_limit")).isEqualTo("1536m");
        assertThat(Chart.Tree.<Object>at(services.get("elasticmq"), "healthcheck.test")).isNotNull();
        SERVICES.keySet().forEach(name -> {
            // RocksDB and Netty load native libraries they extract to /tmp: noexec would kill them at start
            assertThat((List<String>) services.get(name).get("tmpfs")).as(name).singleElement().asString()
                    .startsWith("/tmp:").contains("exec").doesNotContain("noexec");
            String options = Chart.Tree.require(services.get(name), "environment.JAVA_TOOL_OPTIONS");
            assertThat(options).contains("-XX:MaxDirectMemorySize=").contains("-XX:MaxMetaspaceSize=").contains("-XX:ReservedCodeCacheSize=");
        });
    }

    /**
     * ElasticMQ's healthcheck, run as a shell runs it in the container (softwaremill/elasticmq-native
     * 1.7.1 is alpine:3.22, busybox wget; a base without wget falls back to /proc/net/tcp*): healthy
     * while something listens on the port, unhealthy when nothing does. The test listens on a free
     * port and rewrites 9324 (and its hex) to it.
     */
    @Test
    void shouldReportElasticMqHealthyExactlyWhileItsPortListens() throws Exception {
        List<String> test = Chart.Tree.at(services().get("elasticmq"), "healthcheck.test");
        assertThat(test.get(0)).isEqualTo("CMD-SHELL");
        String command = test.get(1);
        assertThat(command).contains("http://localhost:9324/").contains(String.format(":%04X ", 9324));
        try (java.net.ServerSocket listener = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            int port = listener.getLocalPort();
            String local = command.replace("9324", Integer.toString(port)).replace(String.format(":%04X ", 9324), String.format(":%04X ", port))
                    .replace("wget ", "no-such-wget ");   // the fallback branch: this test's machine may have wget
            assertThat(shell(local)).as("listening on %d: %s", port, local).isZero();
            listener.close();
            assertThat(shell(local)).as("nothing on %d: %s", port, local).isNotZero();
        }
    }

    private static int shell(String command) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }

    @Test
    void shouldGiveEachServiceEveryRequiredVariableWithAValidValue() {
        Map<String, Map<String, Object>> services = services();
        SERVICES.forEach((name, component) -> {
            Map<String, String> env = new HashMap<>();
            Map<String, Object> raw = Chart.Tree.require(services.get(name), "environment");
            raw.forEach((k, v) -> env.put(k, String.valueOf(v)));

            assertThat(ServiceSettings.problems(component, env)).isEmpty();
            assertThat(ServiceSettings.unknown(component, env.keySet(), false)).isEmpty();
        });
    }

    @Test
    void shouldBuildImagesThatRunAsUid1000WithHeapFromTheLimit() {
        // instructions only: the comments may well mention what is avoided
        String dockerfile = String.join("\n", Chart.read(Chart.repoRoot().resolve("docker/Dockerfile")).lines()
                .filter(l -> !l.startsWith("#")).toList());

        assertThat(dockerfile).contains("USER 1000:1000").contains("-XX:MaxRAMPercentage=").doesNotContain("-Xmx")
                .contains("ARG JAR=${MODULE}/target/${MODULE}-${VERSION}-exec.jar");
        assertThat(dockerfile.lines().filter(l -> l.startsWith("FROM ")).toList())
                .singleElement().asString().matches("FROM eclipse-temurin:17\\.[0-9._]+-jre-\\w+");
    }
}
