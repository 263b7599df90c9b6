package io.mailer.helm;

import static io.mailer.helm.Chart.Tree.at;
import static org.assertj.core.api.Assertions.assertThat;

import java.text.Normalizer;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** What an operator turns on for production: Ingress, NetworkPolicies, alerts, KEDA, the topic Job's bounds. */
class ChartOperationsTest {

    @Test
    void shouldExposeOnlyTheApiUnsubscribeAndConsoleWithTheApisBodyLimit() {
        Chart.Manifests manifests = Chart.Manifests.parse(Chart.templateWith(Map.of("httpIngress.enabled", true,
                "ingress.env.INGRESS_MAX_BODY_MB", "25")));

        Map<String, Object> ingress = manifests.get("Ingress", "mailer-ingress");
        assertThat(paths(ingress)).containsExactly("Prefix /api/v1", "Prefix /unsubscribe", "Prefix /console");
        assertThat(annotations(ingress)).containsEntry("nginx.ingress.kubernetes.io/proxy-body-size", "25m");
        // NDJSON batches stream: their path alone takes large bodies, unbuffered
        Map<String, Object> batches = manifests.get("Ingress", "mailer-ingress-batches");
        assertThat(paths(batches)).containsExactly("Exact /api/v1/batches");
        assertThat(annotations(batches)).containsEntry("nginx.ingress.kubernetes.io/proxy-body-size", "1024m")
                .containsEntry("nginx.ingress.kubernetes.io/proxy-request-buffering", "off");

        Map<String, Object> withDocs = Chart.Manifests.parse(Chart.templateWith(Map.of("httpIngress.enabled", true,
                "httpIngress.exposeApiDocs", true))).get("Ingress", "mailer-ingress");
        assertThat(paths(withDocs)).contains("Prefix /v3/api-docs", "Prefix /swagger-ui").noneMatch(p -> p.contains("actuator"));
        assertThat(annotations(withDocs)).containsEntry("nginx.ingress.kubernetes.io/proxy-body-size", "10m");
    }

    @Test
    void shouldLetEachComponentReachOnlyWhatItTalksTo() {
        Chart.Manifests manifests = Chart.Manifests.parse(Chart.templateWith(Map.of("networkPolicy.enabled", true, "topics.hook", false)));

        Map<String, Set<Integer>> egress = new LinkedHashMap<>();
        for (String component : List.of("ingress", "topology", "dispatcher", "feedback", "topics")) {
            Map<String, Object> policy = manifests.get("NetworkPolicy", "mailer-" + component);
            assertThat((Map<String, Object>) at(policy, "spec.podSelector.matchLabels")).containsEntry("app.kubernetes.io/component", component);
            assertThat((List<String>) at(policy, "spec.policyTypes")).containsExactly("Ingress", "Egress");
            List<Map<String, Object>> rules = Chart.Tree.require(policy, "spec.egress");
            egress.put(component, rules.stream().flatMap(r -> ((List<Map<String, Object>>) r.get("ports")).stream())
                    .map(p -> (Integer) p.get("port")).collect(Collectors.toSet()));
        }
        Set<Integer> kafka = Set.of(53, 9092, 9093, 9094);
        assertThat(egress.get("topology")).isEqualTo(kafka);
        assertThat(egress.get("topics")).isEqualTo(kafka);
        assertThat(egress.get("ingress")).isEqualTo(union(kafka, Set.of(5432)));
        assertThat(egress.get("dispatcher")).isEqualTo(union(kafka, Set.of(443)));
        assertThat(egress.get("feedback")).isEqualTo(union(kafka, Set.of(5432, 443)));
        // the API is open (narrow it with apiFrom); workers take scrapes from their namespace only
        assertThat((Object) at(manifests.get("NetworkPolicy", "mailer-ingress"), "spec.ingress[0].from")).isNull();
        assertThat((List<Object>) at(manifests.get("NetworkPolicy", "mailer-dispatcher"), "spec.ingress[0].from"))
                .containsExactly(Map.of("podSelector", Map.of()));
        assertThat(Chart.render(null).ofKind("NetworkPolicy")).as("off by default").isEmpty();
    }

    @Test
    void shouldLetTheWebhookRelayReachOnlyPublicAddressesByDefault() {
        Chart.Manifests manifests = Chart.Manifests.parse(Chart.templateWith(Map.of("networkPolicy.enabled", true, "topics.hook", false)));
        List<Map<String, Object>> rules = Chart.Tree.require(manifests.get("NetworkPolicy", "mailer-webhook"), "spec.egress");
        Map<String, Object> toEndpoints = rules.stream()
                .filter(r -> ((List<Map<String, Object>>) r.get("ports")).stream().anyMatch(p -> p.get("port").equals(443)))
                .findFirst().orElseThrow();
        // DNS rebinding: a name checked public by the relay and resolved private at connect time is still refused here
        assertThat((String) at(toEndpoints, "to[0].ipBlock.cidr")).isEqualTo("0.0.0.0/0");
        assertThat((List<String>) at(toEndpoints, "to[0].ipBlock.except")).contains("10.0.0.0/8", "172.16.0.0/12",
                "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16", "100.64.0.0/10");
    }

    @Test
    void shouldAlertOnWhatOperationsDescribesEachHeldAndLinkedToItsRunbook() {
        Map<String, Object> rule = Chart.Manifests.parse(Chart.templateWith(Map.of("metrics.prometheusRule.enabled", true,
                "metrics.prometheusRule.sqsDeadLetterQueueExpr", "max(aws_sqs_approximate_number_of_messages_visible_maximum{queue_name=\"dlq\"})")))
                .get("PrometheusRule", "mailer");
        List<Map<String, Object>> rules = new java.util.ArrayList<>(Chart.Tree.require(rule, "spec.groups[0].rules"));
        rules.addAll(Chart.Tree.require(rule, "spec.groups[1].rules"));

        assertThat(rules).extracting(r -> r.get("alert")).containsExactlyInAnyOrder("MailerConsumerLagGrowing", "MailerDeadLetters",
                "MailerFeedbackQuarantine", "MailerSesAccountPaused", "MailerSendRateBelowLimit", "MailerProjectorLag",
                "MailerSqsDeadLetterQueueNotEmpty", "MailerTenantPaused", "MailerTenantThrottled", "MailerAccountBounceRateHigh",
                "MailerAccountComplaintRateHigh", "MailerReputationGuardBehind", "MailerHeldSendsNotReleased",
                "MailerWebhookReaderRetrying");
        Set<String> anchors = headingAnchors(Chart.read(Chart.repoRoot().resolve("docs/operations.md")));
        for (Map<String, Object> r : rules) {
            assertThat((String) r.get("for")).as("%s", r.get("alert")).matches("[0-9]+m");
            String runbook = Chart.Tree.require(r, "annotations.runbook_url");
            assertThat(runbook).startsWith("https://github.com/mailer/mailer/blob/main/docs/operations.md#");
            assertThat(anchors).as("%s links a section of docs/operations.md", r.get("alert"))
                    .contains(runbook.substring(runbook.indexOf('#') + 1));
        }
        assertThat(Chart.render(null).ofKind("PrometheusRule")).as("off by default").isEmpty();
    }

    @Test
    void shouldScaleDispatcherOnLagCappedByPartitionsAndTheSesRateAndFeedbackOnSqsDepth() {
        Chart.Manifests manifests = Chart.Manifests.parse(Chart.templateWith(Map.of("keda.enabled", true)));

        Map<String, Object> dispatcher = manifests.get("ScaledObject", "mailer-dispatcher");
        assertThat((Integer) at(dispatcher, "spec.maxReplicaCount")).isEqualTo(20);
        assertThat((Map<String, Object>) at(dispatcher, "spec.triggers[0].metadata")).containsEntry("consumerGroup", "mailer.dispatcher")
                .containsEntry("topic", "mailer.sends").containsEntry("allowIdleConsumers", "false");
        Map<String, Object> feedback = manifests.get("ScaledObject", "mailer-feedback");
        assertThat((List<Map<String, Object>>) at(feedback, "spec.triggers")).extracting(t -> t.get("type"))
                .containsExactly("aws-sqs-queue", "kafka");
        assertThat((String) at(feedback, "spec.triggers[0].metadata.queueURL"))
                .isEqualTo("https://sqs.us-east-1.amazonaws.com/123456789012/mailer-ses-events");
        assertThat((String) at(feedback, "spec.triggers[1].metadata.consumerGroup")).isEqualTo("mailer.projector");
        // KEDA owns their replicas: no chart HPA, no fixed count; ingress and webhook keep their CPU HPAs
        assertThat(manifests.ofKind("HorizontalPodAutoscaler")).extracting(h -> at(h, "metadata.name")).containsExactlyInAnyOrder("mailer-ingress", "mailer-webhook");
        assertThat((Object) at(Workloads.deployment(manifests, "dispatcher"), "spec.replicas")).isNull();

        // fewer partitions of `sends` than maxReplicas: the partitions cap it
        assertThat((Integer) at(Chart.Manifests.parse(Chart.templateWith(Map.of("keda.enabled", true, "topics.partitions", 12)))
                .get("ScaledObject", "mailer-dispatcher"), "spec.maxReplicaCount")).isEqualTo(12);
        // an SES rate 3 replicas keep up with (2,000/s each): more would only wait
        assertThat((Integer) at(Chart.Manifests.parse(Chart.templateWith(Map.of("keda.enabled", true, "config.sesMaxSendRate", "5000")))
                .get("ScaledObject", "mailer-dispatcher"), "spec.maxReplicaCount")).isEqualTo(3);
    }

    @Test
    void shouldAuthenticateKedasKafkaTriggersLikeTheServices() {
        Chart.Manifests manifests = Chart.Manifests.parse(Chart.templateWith(Map.of("keda.enabled", true,
                "config.kafkaSecurityProtocol", "SASL_SSL", "config.kafkaSaslMechanism", "SCRAM-SHA-256",
                "secrets.kafkaSaslUsername", "mailer", "secrets.kafkaSaslPassword", "pw", "kafkaTruststore.secretName", "kafka-ca")));

        Map<String, Object> auth = manifests.get("TriggerAuthentication", "mailer-keda-kafka");
        assertThat((List<Map<String, Object>>) at(auth, "spec.secretTargetRef")).containsExactly(
                Map.of("parameter", "username", "name", "mailer-secrets", "key", "kafka-sasl-username"),
                Map.of("parameter", "password", "name", "mailer-secrets", "key", "kafka-sasl-password"),
                Map.of("parameter", "ca", "name", "kafka-ca", "key", "ca.crt"));
        for (String component : List.of("dispatcher", "feedback")) {
            List<Map<String, Object>> triggers = Chart.Tree.require(manifests.get("ScaledObject", "mailer-" + component), "spec.triggers");
            Map<String, Object> kafka = triggers.stream().filter(t -> "kafka".equals(t.get("type"))).findFirst().orElseThrow();
            assertThat((Map<String, Object>) kafka.get("metadata")).containsEntry("sasl", "scram_sha256").containsEntry("tls", "enable");
            assertThat((String) at(kafka, "authenticationRef.name")).isEqualTo("mailer-keda-kafka");
        }
        // PLAINTEXT (the default) needs none
        assertThat(Chart.Manifests.parse(Chart.templateWith(Map.of("keda.enabled", true))).ofKind("TriggerAuthentication"))
                .extracting(t -> at(t, "metadata.name")).containsExactly("mailer-keda-sqs");
    }

    @Test
    void shouldBoundTheTopicJobInTimeAndAlterExistingTopicsConfigs() {
        Map<String, Object> job = Chart.Manifests.parse(Chart.templateWith(Map.of("topics.hook", false))).get("Job", "mailer-topics");
        String script = Chart.Tree.require(job, "spec.template.spec.containers[0].args[0]");

        assertThat((Integer) at(job, "spec.activeDeadlineSeconds")).isEqualTo(600);
        assertThat(script).contains("deadline=$((SECONDS + 180))").contains("exit 1");
        assertThat(script).contains("kafka-configs.sh --bootstrap-server \"$BOOTSTRAP\" --alter --entity-type topics \\\n"
                + "  --entity-name \"mailer.suppressions\" --add-config \"min.insync.replicas=2,max.message.bytes=1048576,cleanup.policy=compact\";");
        assertThat(script).contains("--entity-name \"mailer.sends-ledger\" --add-config "
                + "\"min.insync.replicas=2,max.message.bytes=1048576,cleanup.policy=[compact,delete],retention.ms=604800000\";");
    }

    @Test
    void shouldLetUnreadyPodsBeEvictedSoDrainsAreNotBlocked() {
        for (Map<String, Object> pdb : Chart.render(null).ofKind("PodDisruptionBudget")) {
            assertThat((String) at(pdb, "spec.unhealthyPodEvictionPolicy")).isEqualTo("AlwaysAllow");
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> annotations(Map<String, Object> resource) {
        return (Map<String, String>) ((Map<String, Object>) resource.get("metadata")).get("annotations");
    }

    private static List<String> paths(Map<String, Object> ingress) {
        List<Map<String, Object>> paths = Chart.Tree.require(ingress, "spec.rules[0].http.paths");
        return paths.stream().map(p -> p.get("pathType") + " " + p.get("path")).toList();
    }

    private static Set<Integer> union(Set<Integer> a, Set<Integer> b) {
        Set<Integer> all = new HashSet<>(a);
        all.addAll(b);
        return all;
    }

    /** GitHub's anchors of the Markdown headings: lower case, punctuation dropped, spaces to dashes. */
    static Set<String> headingAnchors(String markdown) {
        return markdown.lines().filter(l -> l.startsWith("#")).map(l -> l.replaceFirst("^#+\\s*", ""))
                .map(h -> Normalizer.normalize(h, Normalizer.Form.NFKC).toLowerCase()
                        .replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'))
                .collect(Collectors.toSet());
    }
}
