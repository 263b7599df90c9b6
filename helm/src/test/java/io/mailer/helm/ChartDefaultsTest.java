package io.mailer.helm;

import static io.mailer.helm.Chart.Tree.at;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The chart installed with its defaults and the required values: what the deployment guide promises operators. */
class ChartDefaultsTest {

    static final List<String> COMPONENTS = List.of("ingress", "topology", "dispatcher", "feedback", "webhook");

    private final Chart.Manifests manifests = Chart.render(null);

    @Test
    void shouldRenderExactlyTheExpectedObjects() {
        assertThat(manifests.names()).containsExactlyInAnyOrder(
                "ConfigMap/mailer-config", "ConfigMap/mailer-dashboard", "Secret/mailer-secrets",
                "Deployment/mailer-ingress", "Deployment/mailer-topology", "Deployment/mailer-dispatcher", "Deployment/mailer-feedback", "Deployment/mailer-webhook",
                "Service/mailer-ingress", "Service/mailer-topology", "Service/mailer-dispatcher", "Service/mailer-feedback", "Service/mailer-webhook",
                "ServiceAccount/mailer-ingress", "ServiceAccount/mailer-topology", "ServiceAccount/mailer-dispatcher", "ServiceAccount/mailer-feedback", "ServiceAccount/mailer-webhook",
                "PodDisruptionBudget/mailer-ingress", "PodDisruptionBudget/mailer-topology", "PodDisruptionBudget/mailer-dispatcher", "PodDisruptionBudget/mailer-feedback", "PodDisruptionBudget/mailer-webhook",
                // topology scales by partitions, not CPU: no HPA by default
                "HorizontalPodAutoscaler/mailer-ingress", "HorizontalPodAutoscaler/mailer-dispatcher", "HorizontalPodAutoscaler/mailer-feedback",
                "HorizontalPodAutoscaler/mailer-webhook");
    }

    @Test
    void shouldHardenEveryPodAndContainer() {
        for (String component : COMPONENTS) {
            Map<String, Object> deployment = Workloads.deployment(manifests, component);
            assertThat((Map<String, Object>) at(deployment, "spec.template.spec.securityContext")).as(component).isEqualTo(Map.of(
                    "runAsNonRoot", true, "runAsUser", 1000, "runAsGroup", 1000, "fsGroup", 1000,
                    "seccompProfile", Map.of("type", "RuntimeDefault")));
            assertThat((Map<String, Object>) Workloads.container(deployment).get("securityContext")).as(component).isEqualTo(Map.of(
                    "runAsNonRoot", true, "runAsUser", 1000, "runAsGroup", 1000, "allowPrivilegeEscalation", false,
                    "readOnlyRootFilesystem", true, "privileged", false, "capabilities", Map.of("drop", List.of("ALL")),
                    "seccompProfile", Map.of("type", "RuntimeDefault")));
            assertThat((Boolean) at(deployment, "spec.template.spec.automountServiceAccountToken")).isFalse();
        }
    }

    @Test
    void shouldGiveEveryContainerAWritableTmpAndTopologyAStateDir() {
        assertThat(Workloads.mounts(Workloads.deployment(manifests, "ingress"))).isEqualTo(Map.of("/tmp", "emptyDir"));
        assertThat(Workloads.mounts(Workloads.deployment(manifests, "dispatcher"))).isEqualTo(Map.of("/tmp", "emptyDir"));
        assertThat(Workloads.mounts(Workloads.deployment(manifests, "feedback"))).isEqualTo(Map.of("/tmp", "emptyDir"));
        assertThat(Workloads.mounts(Workloads.deployment(manifests, "webhook"))).isEqualTo(Map.of("/tmp", "emptyDir"));
        Map<String, Object> topology = Workloads.deployment(manifests, "topology");
        assertThat(Workloads.mounts(topology)).isEqualTo(Map.of("/tmp", "emptyDir", "/var/lib/mailer/streams", "emptyDir"));
        assertThat(Workloads.plainEnv(topology)).containsEntry("STREAMS_STATE_DIR", "/var/lib/mailer/streams")
                .containsEntry("STREAMS_NUM_STANDBY_REPLICAS", "1");
    }

    @Test
    void shouldServeAndProbeEachComponentOnItsPort() {
        for (String component : COMPONENTS) {
            Map<String, Object> deployment = Workloads.deployment(manifests, component);
            Map<String, Object> container = Workloads.container(deployment);
            int port = Workloads.PORTS.get(component);
            assertThat((Integer) at(container, "ports[0].containerPort")).as(component).isEqualTo(port);
            assertThat((String) at(container, "ports[0].name")).isEqualTo("http");
            assertThat(Workloads.plainEnv(deployment)).containsEntry("PORT", Integer.toString(port));
            assertThat((Map<String, Object>) container.get("livenessProbe")).as(component).isEqualTo(Map.of(
                    "httpGet", Map.of("path", "/api/v1/health", "port", "http"),
                    "initialDelaySeconds", 30, "periodSeconds", 10, "timeoutSeconds", 5, "failureThreshold", 3));
            assertThat((Map<String, Object>) container.get("readinessProbe")).as(component).isEqualTo(Map.of(
                    "httpGet", Map.of("path", "/api/v1/ready", "port", "http"),
                    "initialDelaySeconds", 10, "periodSeconds", 5, "timeoutSeconds", 3, "failureThreshold", 2));
            assertThat((String) at(container, "startupProbe.httpGet.path")).isEqualTo("/api/v1/health");
            Map<String, Object> service = manifests.get("Service", "mailer-" + component);
            assertThat((String) at(service, "spec.ports[0].targetPort")).isEqualTo("http");
            assertThat((Map<String, Object>) at(service, "spec.selector"))
                    .isEqualTo(at(deployment, "spec.selector.matchLabels"));
        }
        assertThat((Integer) at(manifests.get("Service", "mailer-ingress"), "spec.ports[0].port")).isEqualTo(80);
    }

    @Test
    void shouldGiveTheApi30SecondsAndWorkers60SecondsToShutDown() {
        Map<String, Integer> grace = Map.of("ingress", 30, "topology", 60, "dispatcher", 60, "feedback", 60, "webhook", 45);
        grace.forEach((component, seconds) -> assertThat((Integer) at(Workloads.deployment(manifests, component),
                "spec.template.spec.terminationGracePeriodSeconds")).as(component).isEqualTo(seconds));
    }

    @Test
    void shouldAutoscaleDispatcherLikeTheGuide() {
        Map<String, Object> hpa = manifests.get("HorizontalPodAutoscaler", "mailer-dispatcher");

        assertThat((Map<String, Object>) hpa.get("spec")).isEqualTo(Map.of(
                "scaleTargetRef", Map.of("apiVersion", "apps/v1", "kind", "Deployment", "name", "mailer-dispatcher"),
                "minReplicas", 3, "maxReplicas", 20,
                // CPU only: a JVM's steady RSS is above 80 % of its request and never shrinks (RequiredValuesInstallTest)
                "metrics", List.of(
                        Map.of("type", "Resource", "resource", Map.of("name", "cpu",
                                "target", Map.of("type", "Utilization", "averageUtilization", 70))))));
        // the HPA owns the replica count; a fixed one would fight it on every upgrade
        assertThat((Object) at(Workloads.deployment(manifests, "dispatcher"), "spec.replicas")).isNull();
        assertThat((Integer) at(Workloads.deployment(manifests, "topology"), "spec.replicas")).isEqualTo(3);
        assertThat((Integer) at(manifests.get("HorizontalPodAutoscaler", "mailer-ingress"), "spec.minReplicas")).isEqualTo(3);
    }

    @Test
    void shouldKeepAllButOnePodOfEachComponentThroughDisruptions() {
        for (String component : COMPONENTS) {
            Map<String, Object> pdb = manifests.get("PodDisruptionBudget", "mailer-" + component);
            assertThat((Integer) at(pdb, "spec.maxUnavailable")).isEqualTo(1);
            assertThat((Map<String, Object>) at(pdb, "spec.selector.matchLabels"))
                    .isEqualTo(at(Workloads.deployment(manifests, component), "spec.selector.matchLabels"));
        }
    }

    @Test
    void shouldReadSecretsFromTheSecretAndTheRestFromTheConfigMap() {
        assertThat(Workloads.secretEnv(Workloads.deployment(manifests, "ingress"))).isEqualTo(Map.of(
                "DATABASE_URL", "mailer-secrets/database-url",
                "MAILER_BOOTSTRAP_ADMIN_KEY", "mailer-secrets/bootstrap-admin-key?",
                "UNSUBSCRIBE_SECRET", "mailer-secrets/unsubscribe-secret?"));
        assertThat(Workloads.secretEnv(Workloads.deployment(manifests, "dispatcher"))).isEqualTo(Map.of(
                "UNSUBSCRIBE_SECRET", "mailer-secrets/unsubscribe-secret?"));
        assertThat(Workloads.secretEnv(Workloads.deployment(manifests, "feedback"))).isEqualTo(Map.of(
                "DATABASE_URL", "mailer-secrets/database-url"));
        assertThat(Workloads.secretEnv(Workloads.deployment(manifests, "webhook"))).isEqualTo(Map.of(
                "DATABASE_URL", "mailer-secrets/database-url"));
        assertThat(Workloads.secretEnv(Workloads.deployment(manifests, "topology"))).isEmpty();

        assertThat((Map<String, Object>) manifests.get("ConfigMap", "mailer-config").get("data")).isEqualTo(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "kafka:9092", "MAILER_TOPIC_PREFIX", "mailer.", "AWS_REGION", "us-east-1",
                "WORKER_CONCURRENCY", "20", "SNS_VERIFY_SIGNATURES", "true", "SPRING_PROFILES_ACTIVE", "production",
                "SQS_QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/123456789012/mailer-ses-events"));
        for (String component : COMPONENTS) {
            assertThat((String) at(Workloads.container(Workloads.deployment(manifests, component)), "envFrom[0].configMapRef.name"))
                    .isEqualTo("mailer-config");
        }
    }

    @Test
    void shouldSizeTheHeapFromTheContainerLimit() {
        for (String component : COMPONENTS) {
            String options = Workloads.plainEnv(Workloads.deployment(manifests, component)).get("JAVA_TOOL_OPTIONS");
            assertThat(options).as(component).contains("-XX:MaxRAMPercentage=").doesNotContain("-Xmx");
            assertThat((String) at(Workloads.container(Workloads.deployment(manifests, component)), "resources.limits.memory"))
                    .isNotBlank();
        }
    }

    @Test
    void shouldUseTheGuidesResourceSizing() {
        assertThat((Map<String, Object>) Workloads.container(Workloads.deployment(manifests, "ingress")).get("resources"))
                .isEqualTo(Map.of("requests", Map.of("cpu", "500m", "memory", "512Mi"), "limits", Map.of("cpu", "1000m", "memory", "1024Mi")));
        assertThat((Map<String, Object>) Workloads.container(Workloads.deployment(manifests, "dispatcher")).get("resources"))
                .isEqualTo(Map.of("requests", Map.of("cpu", "500m", "memory", "512Mi"), "limits", Map.of("cpu", "2000m", "memory", "1024Mi")));
    }
}
