package io.mailer.helm;

import static io.mailer.helm.Chart.Tree.at;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * ci/production-values.yaml: existing Secret, IRSA, Ingress with TLS, ServiceMonitor, private registry
 * (its Kafka SASL_SSL and PostgreSQL TLS settings: {@link ChartKafkaAndPostgresTlsTest}).
 */
class ChartProductionValuesTest {

    private final Chart.Manifests manifests = Chart.render(Chart.productionValues());

    @Test
    void shouldReadEverySecretFromTheExistingSecretAndCreateNone() {
        assertThat(manifests.ofKind("Secret")).isEmpty();
        assertThat(Workloads.secretEnv(Workloads.deployment(manifests, "ingress"))).isEqualTo(Map.of(
                "DATABASE_URL", "mailer-secrets/database-url",
                "MAILER_BOOTSTRAP_ADMIN_KEY", "mailer-secrets/bootstrap-admin-key?",
                "UNSUBSCRIBE_SECRET", "mailer-secrets/unsubscribe-secret?",
                "KAFKA_SASL_USERNAME", "mailer-secrets/kafka-sasl-username",
                "KAFKA_SASL_PASSWORD", "mailer-secrets/kafka-sasl-password"));
        assertThat(Workloads.secretEnv(Workloads.deployment(manifests, "feedback"))).isEqualTo(Map.of(
                "DATABASE_URL", "mailer-secrets/database-url",
                "KAFKA_SASL_USERNAME", "mailer-secrets/kafka-sasl-username",
                "KAFKA_SASL_PASSWORD", "mailer-secrets/kafka-sasl-password"));
        // no checksum of a Secret the chart does not own
        assertThat((Map<String, Object>) at(Workloads.deployment(manifests, "ingress"), "spec.template.metadata.annotations"))
                .containsOnlyKeys("checksum/config");
    }

    @Test
    void shouldGiveDispatcherAndFeedbackTheirOwnIamRoles() {
        assertThat((Map<String, Object>) at(manifests.get("ServiceAccount", "mailer-dispatcher"), "metadata.annotations"))
                .isEqualTo(Map.of("eks.amazonaws.com/role-arn", "arn:aws:iam::123456789012:role/mailer-dispatcher"));
        assertThat((Map<String, Object>) at(manifests.get("ServiceAccount", "mailer-feedback"), "metadata.annotations"))
                .isEqualTo(Map.of("eks.amazonaws.com/role-arn", "arn:aws:iam::123456789012:role/mailer-feedback"));
        assertThat((Object) at(manifests.get("ServiceAccount", "mailer-ingress"), "metadata.annotations")).isNull();
        assertThat((String) at(Workloads.deployment(manifests, "dispatcher"), "spec.template.spec.serviceAccountName"))
                .isEqualTo("mailer-dispatcher");
        // IRSA: no static keys anywhere
        assertThat(Workloads.secretEnv(Workloads.deployment(manifests, "dispatcher"))).doesNotContainKeys("AWS_ACCESS_KEY_ID");
    }

    @Test
    void shouldExposeTheApiThroughATlsIngress() {
        Map<String, Object> ingress = manifests.get("Ingress", "mailer-ingress");

        assertThat((Map<String, Object>) ingress.get("spec")).isEqualTo(Map.of(
                "ingressClassName", "nginx",
                "tls", List.of(Map.of("secretName", "mailer-tls", "hosts", List.of("mail.example.com"))),
                "rules", List.of(Map.of("host", "mail.example.com", "http", Map.of("paths", Stream.of("/api/v1", "/unsubscribe", "/console")
                        .map(path -> Map.of("path", path, "pathType", "Prefix",
                                "backend", Map.of("service", Map.of("name", "mailer-ingress", "port", Map.of("number", 80)))))
                        .toList())))));
        assertThat((Map<String, Object>) at(ingress, "metadata.annotations"))
                .isEqualTo(Map.of("cert-manager.io/cluster-issuer", "letsencrypt", "nginx.ingress.kubernetes.io/proxy-body-size", "10m"));
    }

    @Test
    void shouldScrapeEveryComponentWithAServiceMonitor() {
        Map<String, Object> monitor = manifests.get("ServiceMonitor", "mailer");

        assertThat((String) at(monitor, "metadata.labels.release")).isEqualTo("prometheus");
        assertThat((Map<String, Object>) monitor.get("spec")).isEqualTo(Map.of(
                "selector", Map.of("matchLabels", Map.of("app.kubernetes.io/name", "mailer", "app.kubernetes.io/instance", "mailer")),
                "namespaceSelector", Map.of("matchNames", List.of(Chart.NAMESPACE)),
                "endpoints", List.of(Map.of("port", "http", "path", "/actuator/prometheus", "interval", "30s"))));
    }

    @Test
    void shouldPullAnImageByDigestWhenOneIsGivenAndRefuseAMalformedOne() {
        String digest = "sha256:" + "0123456789abcdef".repeat(4);
        Chart.Manifests pinned = Chart.Manifests.parse(Chart.templateWith(Map.of(
                "image.registry", "123456789012.dkr.ecr.eu-west-1.amazonaws.com", "dispatcher.image.digest", digest)));

        assertThat((String) at(Workloads.container(Workloads.deployment(pinned, "dispatcher")), "image"))
                .isEqualTo("123456789012.dkr.ecr.eu-west-1.amazonaws.com/mailer/dispatcher-service@" + digest);
        assertThat((String) at(Workloads.container(Workloads.deployment(pinned, "ingress")), "image"))
                .isEqualTo("123456789012.dkr.ecr.eu-west-1.amazonaws.com/mailer/ingress-service:0.1.0");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Chart.templateWith(Map.of("dispatcher.image.digest", "latest")))
                .hasMessageContaining("digest");
    }

    @Test
    void shouldPullFromThePrivateRegistryAndPassTheSesSettings() {
        assertThat((String) at(Workloads.container(Workloads.deployment(manifests, "dispatcher")), "image"))
                .isEqualTo("123456789012.dkr.ecr.eu-west-1.amazonaws.com/mailer/dispatcher-service:0.1.0");
        assertThat((List<Map<String, Object>>) at(Workloads.deployment(manifests, "dispatcher"), "spec.template.spec.imagePullSecrets"))
                .containsExactly(Map.of("name", "ecr-pull"));
        assertThat((Map<String, Object>) manifests.get("ConfigMap", "mailer-config").get("data"))
                .containsEntry("SES_CONFIGURATION_SET", "mailer-events").containsEntry("SES_MAX_SEND_RATE", "200")
                .containsEntry("WORKER_CONCURRENCY", "40")
                .containsEntry("SQS_QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/123456789012/mailer-ses-events");
        assertThat((Integer) at(Workloads.deployment(manifests, "topology"), "spec.replicas")).isEqualTo(4);
    }

    @Test
    void shouldPassStaticAwsKeysOnlyToTheServicesThatCallAws() {
        Chart.Manifests withKeys = Chart.Manifests.parse(Chart.templateWith(Map.of("aws.staticCredentials", true,
                "secrets.awsAccessKeyId", "AKIAEXAMPLE", "secrets.awsSecretAccessKey", "example-secret")));

        Map<String, String> awsKeys = Map.of("AWS_ACCESS_KEY_ID", "mailer-secrets/aws-key", "AWS_SECRET_ACCESS_KEY", "mailer-secrets/aws-secret");
        assertThat(Workloads.secretEnv(Workloads.deployment(withKeys, "dispatcher"))).containsAllEntriesOf(awsKeys);
        assertThat(Workloads.secretEnv(Workloads.deployment(withKeys, "feedback"))).containsAllEntriesOf(awsKeys);
        assertThat(Workloads.secretEnv(Workloads.deployment(withKeys, "ingress"))).doesNotContainKeys("AWS_ACCESS_KEY_ID");
        assertThat(Workloads.secretEnv(Workloads.deployment(withKeys, "topology"))).isEmpty();
        assertThat((Map<String, Object>) withKeys.get("Secret", "mailer-secrets").get("data"))
                .containsOnlyKeys("database-url", "aws-key", "aws-secret");
    }
}
