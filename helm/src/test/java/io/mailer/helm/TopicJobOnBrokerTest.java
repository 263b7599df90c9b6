package io.mailer.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.devstack.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The topic Job's script, exactly as the chart renders it, run by bash against a real (embedded)
 * broker, with kafka-tools' TopicCommand standing in for the image's kafka-topics.sh.
 */
class TopicJobOnBrokerTest {

    @Test
    void shouldCreateMissingTopicsAndAlterTheConfigsButNotThePartitionsOfExistingOnes(@TempDir Path dir) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            // Given the rendered script for three topics (one broker: replication 1; each kafka-topics
            // call is a JVM start, so the full default list is checked by TopicJobTest, not here)
            String script = Chart.Tree.require(Chart.Manifests.parse(Chart.templateWith(values()))
                    .get("Job", "mailer-topics"), "spec.template.spec.containers[0].args[0]");
            // and `sends` already exists with another partition count
            try (Admin admin = admin(kafka)) {
                admin.createTopics(List.of(new NewTopic("mailer.sends", 1, (short) 1)
                        .configs(Map.of("retention.ms", "3600000")))).all().get(30, TimeUnit.SECONDS);
            }

            // When bash runs it, kafka-topics.sh being kafka-tools' TopicCommand
            // and kafka-configs.sh the broker's ConfigCommand
            Path topicsShim = shim(dir, "kafka-topics.sh", "org.apache.kafka.tools.TopicCommand");
            Path configsShim = shim(dir, "kafka-configs.sh", "kafka.admin.ConfigCommand");
            assertThat(run(script.replace("/opt/kafka/bin/kafka-topics.sh", topicsShim.toString())
                    .replace("/opt/kafka/bin/kafka-configs.sh", configsShim.toString()), kafka.bootstrapServers())).isZero();

            // Then the missing topics exist with their partitions and configs, and `sends` is untouched
            try (Admin admin = admin(kafka)) {
                List<String> names = List.of("mailer.suppressions", "mailer.batch-commands", "mailer.sends");
                Map<String, Integer> partitions = admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS)
                        .values().stream().collect(Collectors.toMap(TopicDescription::name, d -> d.partitions().size()));
                assertThat(partitions).isEqualTo(Map.of("mailer.suppressions", 3, "mailer.batch-commands", 3, "mailer.sends", 1));

                Map<String, Map<String, String>> configs = new HashMap<>();
                List<ConfigResource> resources = names.stream().map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList();
                admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS).forEach((r, c) -> configs.put(r.name(), Map.of(
                        "cleanup.policy", c.get("cleanup.policy").value(), "retention.ms", c.get("retention.ms").value(),
                        "max.message.bytes", c.get("max.message.bytes").value())));
                assertThat(configs.get("mailer.suppressions")).containsEntry("cleanup.policy", "compact,delete")
                        .containsEntry("retention.ms", "604800000");
                assertThat(configs.get("mailer.batch-commands")).containsEntry("cleanup.policy", "delete")
                        .containsEntry("retention.ms", "1209600000").containsEntry("max.message.bytes", "4194304");
                assertThat(configs.get("mailer.sends")).as("existing topic: configs altered to the chart's, partitions kept")
                        .containsEntry("cleanup.policy", "delete").containsEntry("retention.ms", "604800000");
            }
        }
    }

    /** One broker: replication 1; three topics, because each kafka-topics call is a JVM start. */
    private static Map<String, Object> values() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("topics.hook", false);
        values.put("topics.replicationFactor", 1);
        values.put("topics.minInsyncReplicas", 1);
        values.put("topics.partitions", 3);
        values.put("topics.list[0].name", "suppressions");
        values.put("topics.list[0].compacted", true);
        // compacted and expiring, as sends-ledger and batch-cancellations are declared
        values.put("topics.list[0].retentionMs", 604800000);
        values.put("topics.list[1].name", "batch-commands");
        values.put("topics.list[1].retentionMs", 1209600000);
        values.put("topics.list[1].configs.max\\.message\\.bytes", 4194304);
        values.put("topics.list[2].name", "sends");
        values.put("topics.list[2].retentionMs", 604800000);
        return values;
    }

    private static Path shim(Path dir, String name, String mainClass) throws Exception {
        Path shim = dir.resolve(name);
        Files.writeString(shim, "#!/bin/sh\nexec java -XX:TieredStopAtLevel=1 -Xshare:auto -cp '"
                + System.getProperty("java.class.path") + "' " + mainClass + " \"$@\"\n");
        Files.setPosixFilePermissions(shim, PosixFilePermissions.fromString("rwxr-xr-x"));
        return shim;
    }

    private static int run(String script, String bootstrap) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("bash", "-ec", script).redirectErrorStream(true);
        builder.environment().put("BOOTSTRAP", bootstrap);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(240, TimeUnit.SECONDS)).as(output).isTrue();
        if (process.exitValue() != 0) {
            System.err.println(output);
        }
        return process.exitValue();
    }

    private static Admin admin(EmbeddedKafka kafka) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }
}
