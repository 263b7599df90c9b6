package io.mailer.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.schemas.kafka.Topic;
import io.mailer.schemas.kafka.Topics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The topic Job creates every registry topic durably (replication 3, min.insync.replicas 2) with the record budget. */
class TopicJobTest {

    private static final Pattern CREATE = Pattern.compile(
            "--create --if-not-exists \\\\\\s+--topic \"([^\"]+)\"((?:\\s*\\\\?\\s*--[^\\n]*)*)");

    /** topic → its kafka-topics.sh arguments after --topic, whitespace-normalized. */
    static Map<String, String> createdTopics(Map<String, Object> values) {
        String script = Chart.Tree.require(Chart.Manifests.parse(Chart.templateWith(values)).get("Job", "mailer-topics"),
                "spec.template.spec.containers[0].args[0]");
        Map<String, String> topics = new LinkedHashMap<>();
        Matcher m = CREATE.matcher(script);
        while (m.find()) {
            topics.put(m.group(1), m.group(2).replace("\\", " ").replace("\"", "").replaceAll("\\s+", " ").trim());
        }
        return topics;
    }

    @Test
    void shouldCreateEveryRegistryTopicWithReplication3AndMinIsr2() {
        // Given the chart defaults (rendered as a plain Job: helm-java's template drops hooks)
        Map<String, String> created = createdTopics(Map.of("topics.hook", false));

        // Then every topic of the registry is created, compacted exactly where the registry says so
        Map<String, String> expected = new LinkedHashMap<>();
        Map<String, Long> retention = new java.util.HashMap<>(Map.of("batch-commands", 1209600000L, "sends", 604800000L,
                "sends-retry-1s", 604800000L, "sends-retry-10s", 604800000L, "sends-retry-1m", 604800000L,
                "sends-retry-10m", 604800000L, "webhook-commands", 604800000L, "webhook-deliveries", 604800000L));
        retention.put("sends-held", 2764800000L);
        Topics.WEBHOOK_RETRY_TIERS.forEach(tier -> retention.put("webhook-retry-" + tier, 604800000L));
        Topics topics = new Topics("mailer.");
        for (Topic<String, ?> topic : topics.all()) {
            String shortName = topic.name().substring("mailer.".length());
            Long compactedRetention = topics.compactedRetention().get(topic.name());
            String policy = topic.compacted() && compactedRetention != null
                    ? "--config cleanup.policy=compact,delete --config retention.ms=" + compactedRetention
                    : topic.compacted() ? "--config cleanup.policy=compact"
                    : "--config retention.ms=" + retention.getOrDefault(shortName, 2592000000L);
            expected.put(topic.name(), "--partitions 24 --replication-factor 3 --config min.insync.replicas=2 --config max.message.bytes=1048576 " + policy);
        }
        assertThat(created).isEqualTo(expected);
    }

    @Test
    void shouldRunAsAHookBeforeInstallAndUpgradeWhenHooksAreOn() {
        String rendered = Chart.read(Chart.dir().resolve("templates/topics-job.yaml"));

        assertThat(rendered).contains("helm.sh/hook: pre-install,pre-upgrade")
                .contains("helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded");
        assertThat(Chart.render(null).ofKind("Job")).as("hooks are not part of the release manifest").isEmpty();
    }

    @Test
    void shouldTakePerTopicPartitionsConfigsAndExtraRetryTiersFromValues() {
        Map<String, String> created = createdTopics(Map.of("topics.hook", false,
                "topics.list[0].name", "sends-retry-1m", "topics.list[0].partitions", 12,
                "topics.list[0].configs.compression\\.type", "zstd",
                "topics.list[1].name", "suppressions", "topics.list[1].compacted", true));

        assertThat(created).isEqualTo(Map.of(
                "mailer.sends-retry-1m", "--partitions 12 --replication-factor 3 --config min.insync.replicas=2 --config max.message.bytes=1048576 --config compression.type=zstd",
                "mailer.suppressions", "--partitions 24 --replication-factor 3 --config min.insync.replicas=2 --config max.message.bytes=1048576 --config cleanup.policy=compact"));
    }

    @Test
    void shouldGiveEveryTopicTheRecordBudgetUnlessItsConfigsSetAnother() {
        Map<String, String> created = createdTopics(Map.of("topics.hook", false,
                "topics.list[0].name", "sends", "topics.list[1].name", "sends-dlt",
                "topics.list[1].configs.max\\.message\\.bytes", 4194304));

        assertThat(created).isEqualTo(Map.of(
                "mailer.sends", "--partitions 24 --replication-factor 3 --config min.insync.replicas=2 --config max.message.bytes=1048576",
                "mailer.sends-dlt", "--partitions 24 --replication-factor 3 --config min.insync.replicas=2 --config max.message.bytes=4194304"));
    }

    @Test
    void shouldRunTheOfficialKafkaImageHardened() {
        Map<String, Object> job = Chart.Manifests.parse(Chart.templateWith(Map.of("topics.hook", false))).get("Job", "mailer-topics");

        assertThat((String) Chart.Tree.at(job, "spec.template.spec.containers[0].image")).isEqualTo("apache/kafka:4.1.2");
        assertThat((Boolean) Chart.Tree.at(job, "spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem")).isTrue();
        assertThat((List<String>) Chart.Tree.at(job, "spec.template.spec.containers[0].securityContext.capabilities.drop"))
                .containsExactly("ALL");
        assertThat(Workloads.mounts(job)).isEqualTo(Map.of("/tmp", "emptyDir"));
    }
}
