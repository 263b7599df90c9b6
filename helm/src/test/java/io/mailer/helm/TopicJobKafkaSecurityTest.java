package io.mailer.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.schemas.kafka.Topics;
import io.mailer.platform.settings.KafkaSecurity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.JaasContext;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The topic Job is a Kafka client too: against an authenticated cluster it must connect exactly as
 * the services do, with credentials it can read while it runs as a pre-install hook.
 */
class TopicJobKafkaSecurityTest {

    private static final String KAFKA_TOPICS = "/opt/kafka/bin/kafka-topics.sh";
    private static final String KAFKA_CONFIGS = "/opt/kafka/bin/kafka-configs.sh";
    private static final String CLIENT_CONFIG = "/tmp/client.properties";
    /** The wait for the brokers (--list), one --create per registry topic, the final --describe. */
    private static final int CALLS = 2 + new Topics("mailer.").all().size();

    @Test
    void shouldReadTheCredentialsFromItsOwnHookSecretWhenTheChartCreatesTheSecret() {
        // Given SASL_SSL with the chart's Secret and a private CA (rendered as a plain Job: helm-java drops hooks)
        Chart.Manifests manifests = Chart.Manifests.parse(Chart.templateWith(Map.of("topics.hook", false,
                "config.kafkaSecurityProtocol", "SASL_SSL", "secrets.kafkaSaslUsername", "mailer",
                "secrets.kafkaSaslPassword", "pw", "kafkaTruststore.secretName", "kafka-ca")));
        Map<String, Object> job = manifests.get("Job", "mailer-topics");

        // Then it reads them from a copy that exists before the release's Secret does
        assertThat(ChartKafkaAndPostgresTlsTest.decoded(manifests.get("Secret", "mailer-topics-kafka")))
                .isEqualTo(Map.of("kafka-sasl-username", "mailer", "kafka-sasl-password", "pw"));
        assertThat(Workloads.secretEnv(job)).isEqualTo(Map.of(
                "KAFKA_SASL_USERNAME", "mailer-topics-kafka/kafka-sasl-username",
                "KAFKA_SASL_PASSWORD", "mailer-topics-kafka/kafka-sasl-password"));
        assertThat(Workloads.plainEnv(job)).containsEntry("KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/mailer/kafka-truststore/ca.crt");
        assertThat(Workloads.secretFiles(job)).isEqualTo(Map.of("/etc/mailer/kafka-truststore/ca.crt", "kafka-ca/ca.crt"));
        // and every kafka-topics.sh call uses the client config
        String script = script(job);
        assertThat(script.lines().filter(l -> l.contains(KAFKA_TOPICS)).toList())
                .hasSize(CALLS)
                .allMatch(l -> l.contains("--command-config " + CLIENT_CONFIG));
        assertThat(script.lines().filter(l -> l.contains(KAFKA_CONFIGS)).toList())
                .hasSize(CALLS - 2) // no --list, no --describe
                .allMatch(l -> l.contains("--command-config " + CLIENT_CONFIG));
        // the copy is a hook created just before the Job's (weight -1 < 0) and deleted with it
        assertThat(Chart.read(Chart.dir().resolve("templates/topics-job.yaml")))
                .contains("helm.sh/hook-weight: \"-1\"").contains("helm.sh/hook-weight: \"0\"");
        assertThat(new KubernetesModelValidator().problems(manifests.get("Secret", "mailer-topics-kafka"))).isEmpty();
        assertThat(new KubernetesModelValidator().problems(job)).isEmpty();
    }

    @Test
    void shouldReadTheCredentialsFromAnExistingSecretDirectly() {
        Chart.Manifests manifests = Chart.Manifests.parse(Chart.templateWith(Map.of("topics.hook", false,
                "config.kafkaSecurityProtocol", "SASL_PLAINTEXT", "secrets.existingSecret", "mailer-secrets")));

        assertThat(manifests.ofKind("Secret")).isEmpty();
        assertThat(Workloads.secretEnv(manifests.get("Job", "mailer-topics"))).isEqualTo(Map.of(
                "KAFKA_SASL_USERNAME", "mailer-secrets/kafka-sasl-username",
                "KAFKA_SASL_PASSWORD", "mailer-secrets/kafka-sasl-password"));
    }

    @Test
    void shouldWriteTheClientConfigTheServicesDeriveFromTheSameVariables(@TempDir Path dir) throws Exception {
        // Given the Job for SCRAM-SHA-256 over TLS with a PKCS12 truststore and its password
        Map<String, Object> job = Chart.Manifests.parse(Chart.templateWith(Map.of("topics.hook", false,
                "config.kafkaSecurityProtocol", "SASL_SSL", "config.kafkaSaslMechanism", "SCRAM-SHA-256",
                "secrets.existingSecret", "mailer-secrets", "kafkaTruststore.secretName", "kafka-cluster-ca-cert",
                "kafkaTruststore.key", "ca.p12", "kafkaTruststore.passwordKey", "ca.password"))).get("Job", "mailer-topics");
        // and values that JAAS and properties files both treat specially
        Path truststore = Files.writeString(dir.resolve("ca.p12"), "not parsed here");
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KAFKA_SECURITY_PROTOCOL", "SASL_SSL");
        env.put("KAFKA_SASL_MECHANISM", "SCRAM-SHA-256");
        env.put("KAFKA_SASL_USERNAME", "mailer\"svc");
        env.put("KAFKA_SASL_PASSWORD", "p\\a\"ss\\\\w$rd&'x=#!");
        env.put("KAFKA_SSL_TRUSTSTORE_LOCATION", truststore.toString());
        env.put("KAFKA_SSL_TRUSTSTORE_PASSWORD", "st\\ore\"pw");

        // When bash runs the script with the pod's variables, kafka-topics.sh and kafka-configs.sh recording their arguments
        Path config = dir.resolve("client.properties");
        Path calls = dir.resolve("calls");
        Path shim = dir.resolve("kafka-topics.sh");
        Files.writeString(shim, "#!/bin/sh\necho \"$@\" >> '" + calls + "'\n");
        Files.setPosixFilePermissions(shim, PosixFilePermissions.fromString("rwxr-xr-x"));
        String script = script(job).replace(KAFKA_TOPICS, shim.toString()).replace(KAFKA_CONFIGS, shim.toString())
                .replace(CLIENT_CONFIG, config.toString());
        run(script, env);

        // Then the file holds exactly the client properties the services build from those variables
        var settings = io.mailer.platform.settings.ServiceSettings.resolve("topics", KafkaSecurity.SETTINGS, env);
        Map<String, String> written = Utils.propsToStringMap(Utils.loadProps(config.toString()));
        assertThat(written).isEqualTo(KafkaSecurity.clientProperties(settings));
        // whose JAAS line gives the Kafka client the user and password unchanged
        AppConfigurationEntry login = JaasContext.loadClientContext(Map.of("sasl.jaas.config",
                new Password(written.get("sasl.jaas.config")))).configurationEntries().get(0);
        assertThat(login.getLoginModuleName()).isEqualTo("org.apache.kafka.common.security.scram.ScramLoginModule");
        assertThat(new HashMap<>(login.getOptions())).isEqualTo(Map.of(
                "username", env.get("KAFKA_SASL_USERNAME"), "password", env.get("KAFKA_SASL_PASSWORD")));
        assertThat(Files.getPosixFilePermissions(config)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        // and every call read it
        List<String> recorded = Files.readAllLines(calls);
        // (kafka-topics.sh: --list, one --create per topic, --describe; kafka-configs.sh: one --alter per topic)
        assertThat(recorded).hasSize(CALLS + CALLS - 2).allMatch(l -> l.contains("--command-config " + config));
    }

    private static String script(Map<String, Object> job) {
        return Chart.Tree.require(job, "spec.template.spec.containers[0].args[0]");
    }

    private static void run(String script, Map<String, String> env) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("bash", "-ec", script).redirectErrorStream(true);
        builder.environment().putAll(env);
        builder.environment().put("BOOTSTRAP", "localhost:9094");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(output).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
    }
}
