package io.mailer.helm;

import static io.mailer.helm.Chart.Tree.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A first install with only the documented required values (ci/required-values.yaml): every pod
 * would start — all required variables present and valid, the JVM's memory regions together inside
 * the container limit, probes on the paths the services serve — and without them the render fails
 * naming what is missing.
 */
class RequiredValuesInstallTest {

    static final List<String> COMPONENTS = List.of("ingress", "topology", "dispatcher", "feedback", "webhook");
    static final long MI = 1024L * 1024;
    /**
     * What a JVM uses beside heap, direct memory, metaspace and code cache: thread stacks (~100
     * threads), GC structures, symbol tables and malloc arenas. The services measure ~230 MB beside
     * the heap in all (docs/benchmarks.md), of which these capped regions are the larger part.
     */
    static final long JVM_NATIVE_OVERHEAD = 96 * MI;
    /** Peak RSS under load per service (docs/benchmarks.md), rounded up: what a pod holds steadily. */
    static final Map<String, Long> MEASURED_RSS = Map.of("ingress", 350_000_000L, "topology", 390_000_000L,
            "dispatcher", 495_000_000L, "feedback", 433_000_000L,
            "webhook", 430_000_000L);
    /** The probe paths every service serves (ProbePathsFilter, ProbeRoutes, HealthRoutes). */
    static final String LIVENESS = "/api/v1/health";
    static final String READINESS = "/api/v1/ready";

    static Stream<Arguments> installs() {
        return Stream.of(Arguments.of("required values only", null), Arguments.of("production", Chart.productionValues()));
    }

    @Test
    void shouldFailTheRenderNamingEachMissingRequiredValue() {
        assertThatThrownBy(() -> Chart.templateBare(Map.of())).hasMessageContaining("DATABASE_URL: set secrets.databaseUrl");
        // with the database from an existing Secret, the queue is still missing
        assertThatThrownBy(() -> Chart.templateBare(Map.of("secrets.existingSecret", "mailer-secrets")))
                .hasMessageContaining("SQS_QUEUE_URL: set config.sqsQueueUrl");
        // and the two together are all an install needs
        assertThat(Chart.templateBare(Map.of("secrets.existingSecret", "mailer-secrets",
                "config.sqsQueueUrl", "https://sqs.us-east-1.amazonaws.com/123456789012/q"))).contains("kind: Deployment");
        // a component that is off needs nothing of its own
        assertThat(Chart.templateBare(Map.of("ingress.enabled", false, "feedback.enabled", false, "webhook.enabled", false)))
                .contains("kind: Deployment");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("installs")
    @SuppressWarnings("unchecked")
    void shouldStartEveryPodWithItsRequiredSettings(String name, Path valuesFile) {
        Chart.Manifests manifests = Chart.render(valuesFile);
        Map<String, String> config = (Map<String, String>) manifests.get("ConfigMap", "mailer-config").get("data");
        for (String component : COMPONENTS) {
            Map<String, Object> deployment = Workloads.deployment(manifests, component);
            Map<String, String> env = new HashMap<>(config);
            env.putAll(Workloads.plainEnv(deployment));
            // a Secret key is present but unknown here; an optional one may be absent, so it cannot count
            Workloads.secretEnv(deployment).forEach((variable, ref) -> {
                if (!ref.endsWith("?")) {
                    env.put(variable, null);
                }
            });
            // a path to a file of a mounted Secret: present in the pod only
            Map<String, String> files = Workloads.secretFiles(deployment);
            Workloads.plainEnv(deployment).forEach((variable, value) -> {
                if (files.containsKey(value)) {
                    env.put(variable, null);
                }
            });
            assertThat(ServiceSettings.problems(component, env)).as(component).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("installs")
    void shouldProbeTheServedPathsOnTheServedPort(String name, Path valuesFile) {
        Chart.Manifests manifests = Chart.render(valuesFile);
        for (String component : COMPONENTS) {
            Map<String, Object> deployment = Workloads.deployment(manifests, component);
            Map<String, Object> container = Workloads.container(deployment);
            assertThat((String) at(container, "livenessProbe.httpGet.path")).as(component).isEqualTo(LIVENESS);
            assertThat((String) at(container, "startupProbe.httpGet.path")).as(component).isEqualTo(LIVENESS);
            assertThat((String) at(container, "readinessProbe.httpGet.path")).as(component).isEqualTo(READINESS);
            for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
                assertThat((String) at(container, probe + ".httpGet.port")).isEqualTo("http");
            }
            // the port named http is the one the service listens on (PORT)
            assertThat(String.valueOf((Integer) at(container, "ports[0].containerPort")))
                    .isEqualTo(Workloads.plainEnv(deployment).get("PORT"))
                    .isEqualTo(Workloads.PORTS.get(component).toString());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("installs")
    void shouldFitEveryJvmsMemoryInsideItsContainerLimit(String name, Path valuesFile) {
        Chart.Manifests manifests = Chart.render(valuesFile);
        for (String component : COMPONENTS) {
            Map<String, Object> deployment = Workloads.deployment(manifests, component);
            Map<String, String> env = Workloads.plainEnv(deployment);
            String options = env.get("JAVA_TOOL_OPTIONS");
            long limit = bytes(Chart.Tree.require(Workloads.container(deployment), "resources.limits.memory"));

            long heap = (long) (limit * percent(options, "MaxRAMPercentage") / 100);
            long direct = flagBytes(options, "MaxDirectMemorySize");
            long metaspace = flagBytes(options, "MaxMetaspaceSize");
            long codeCache = flagBytes(options, "ReservedCodeCacheSize");
            long rocksDb = component.equals("topology") ? Long.parseLong(env.get("STREAMS_ROCKSDB_MEMORY_MB")) * MI : 0;
            long total = heap + direct + metaspace + codeCache + JVM_NATIVE_OVERHEAD + rocksDb;

            assertThat(total).as("%s: heap %d + direct %d + metaspace %d + code %d + native %d + RocksDB %d MiB vs limit %d MiB",
                    component, heap / MI, direct / MI, metaspace / MI, codeCache / MI, JVM_NATIVE_OVERHEAD / MI, rocksDb / MI, limit / MI)
                    .isLessThanOrEqualTo(limit);
            // and the heap alone holds what the service keeps live under load
            assertThat(heap).as(component).isGreaterThanOrEqualTo(256 * MI);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("installs")
    void shouldNeverTargetMemoryBelowTheSteadyRss(String name, Path valuesFile) {
        Chart.Manifests manifests = Chart.render(valuesFile);
        for (String component : COMPONENTS) {
            Map<String, Object> container = Workloads.container(Workloads.deployment(manifests, component));
            long request = bytes(Chart.Tree.require(container, "resources.requests.memory"));
            // the scheduler reserves what the pod holds anyway
            assertThat(request).as(component + " memory request").isGreaterThanOrEqualTo(MEASURED_RSS.get(component));
            manifests.ofKind("HorizontalPodAutoscaler").stream()
                    .filter(hpa -> ("mailer-" + component).equals(at(hpa, "spec.scaleTargetRef.name")))
                    .forEach(hpa -> {
                        List<Map<String, Object>> metrics = Chart.Tree.require(hpa, "spec.metrics");
                        metrics.stream().filter(m -> "memory".equals(at(m, "resource.name"))).forEach(m -> {
                            int target = Chart.Tree.require(m, "resource.target.averageUtilization");
                            // a JVM's RSS does not shrink: a target below it holds the HPA at maxReplicas
                            assertThat(request * target / 100).as(component + " HPA memory target")
                                    .isGreaterThan(MEASURED_RSS.get(component));
                        });
                    });
        }
    }

    static double percent(String options, String flag) {
        Matcher m = Pattern.compile("-XX:" + flag + "=([0-9.]+)").matcher(options);
        assertThat(m.find()).as(flag + " in " + options).isTrue();
        return Double.parseDouble(m.group(1));
    }

    /** A -XX size flag; missing means the region is unbounded, which fails. */
    static long flagBytes(String options, String flag) {
        Matcher m = Pattern.compile("-XX:" + flag + "=([0-9]+)([kKmMgG]?)").matcher(options);
        assertThat(m.find()).as(flag + " bounds a region beside the heap: missing in " + options).isTrue();
        long value = Long.parseLong(m.group(1));
        return switch (m.group(2).toLowerCase()) {
            case "k" -> value * 1024;
            case "m" -> value * MI;
            case "g" -> value * 1024 * MI;
            default -> value;
        };
    }

    /** A Kubernetes memory quantity (Ki/Mi/Gi, k/M/G or bytes). */
    static long bytes(String quantity) {
        Matcher m = Pattern.compile("([0-9]+)(Ki|Mi|Gi|k|M|G)?").matcher(quantity);
        assertThat(m.matches()).as(quantity).isTrue();
        long value = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "" : m.group(2);
        return switch (unit) {
            case "Ki" -> value * 1024;
            case "Mi" -> value * MI;
            case "Gi" -> value * 1024 * MI;
            case "k" -> value * 1000;
            case "M" -> value * 1_000_000;
            case "G" -> value * 1_000_000_000;
            default -> value;
        };
    }
}
