package io.mailer.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A managed, authenticated Kafka (SASL, TLS with a private or the JVM's CAs) and PostgreSQL over
 * verified TLS: which variables, Secret references and read-only mounts each component gets.
 */
class ChartKafkaAndPostgresTlsTest {

    static final List<String> COMPONENTS = ChartDefaultsTest.COMPONENTS;
    static final Map<String, String> SASL_FROM_EXISTING_SECRET = Map.of(
            "KAFKA_SASL_USERNAME", "mailer-secrets/kafka-sasl-username",
            "KAFKA_SASL_PASSWORD", "mailer-secrets/kafka-sasl-password");
    static final String KAFKA_CA = "/etc/mailer/kafka-truststore/ca.crt";
    static final String RDS_CA = "/etc/mailer/postgres-ca/rds-global-bundle.pem";

    @Test
    void shouldAddNoKafkaSecurityVariableMountOrSecretKeyWithThePlaintextDefaults() {
        // Given the defaults (PLAINTEXT, no truststore, no PostgreSQL CA)
        Chart.Manifests manifests = Chart.render(null);

        // Then no component carries a Kafka security variable or a Secret file
        for (String component : COMPONENTS) {
            Map<String, Object> deployment = Workloads.deployment(manifests, component);
            assertThat(Workloads.envEntries(deployment)).as(component)
                    .noneMatch(e -> ((String) e.get("name")).matches("KAFKA_(SASL|SSL|SECURITY)_.*"));
            assertThat(Workloads.secretFiles(deployment)).as(component).isEmpty();
        }
        assertThat((Map<String, Object>) manifests.get("ConfigMap", "mailer-config").get("data"))
                .doesNotContainKeys("KAFKA_SECURITY_PROTOCOL", "KAFKA_SASL_MECHANISM");
        assertThat((Map<String, Object>) manifests.get("Secret", "mailer-secrets").get("data"))
                .doesNotContainKeys("kafka-sasl-username", "kafka-sasl-password");
    }

    @Test
    void shouldGiveEveryComponentTheSaslCredentialsAndTheClusterCaInProduction() {
        // Given ci/production-values.yaml: SASL_SSL/SCRAM-SHA-512, an existing Secret, the cluster CA and the RDS CA
        Chart.Manifests manifests = Chart.render(Chart.productionValues());

        // Then the protocol and mechanism are shared settings
        assertThat((Map<String, Object>) manifests.get("ConfigMap", "mailer-config").get("data"))
                .containsEntry("KAFKA_SECURITY_PROTOCOL", "SASL_SSL").containsEntry("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512");
        for (String component : COMPONENTS) {
            Map<String, Object> deployment = Workloads.deployment(manifests, component);
            // the credentials come from the Secret, required (a pod without them could not connect)
            assertThat(Workloads.secretEnv(deployment)).as(component).containsAllEntriesOf(SASL_FROM_EXISTING_SECRET);
            assertThat(kafkaPlainEnv(deployment)).as(component).isEqualTo(Map.of("KAFKA_SSL_TRUSTSTORE_LOCATION", KAFKA_CA));
        }
        // and each component mounts, read-only, the CA files it uses: only ingress, feedback and webhook talk to PostgreSQL
        Map<String, String> kafkaCa = Map.of(KAFKA_CA, "kafka-cluster-ca-cert/ca.crt");
        Map<String, String> bothCas = Map.of(KAFKA_CA, "kafka-cluster-ca-cert/ca.crt", RDS_CA, "rds-ca/rds-global-bundle.pem");
        assertThat(secretFilesByComponent(manifests)).isEqualTo(Map.of(
                "ingress", bothCas, "topology", kafkaCa, "dispatcher", kafkaCa, "feedback", bothCas, "webhook", bothCas));
    }

    @Test
    void shouldPutTheSaslCredentialsIntoTheSecretTheChartCreates() {
        // Given Confluent Cloud: SASL_SSL + PLAIN with an API key and secret, the JVM's CAs, the chart's Secret
        Chart.Manifests manifests = Chart.Manifests.parse(Chart.templateWith(Map.of(
                "config.kafkaSecurityProtocol", "SASL_SSL", "config.kafkaSaslMechanism", "PLAIN",
                "secrets.kafkaSaslUsername", "ABCDEFGHIJKLMNOP", "secrets.kafkaSaslPassword", "s3cr3t/with+chars=")));

        // Then the Secret holds them, and every component reads them from it with no truststore
        Map<String, String> data = decoded(manifests.get("Secret", "mailer-secrets"));
        assertThat(data).containsEntry("kafka-sasl-username", "ABCDEFGHIJKLMNOP")
                .containsEntry("kafka-sasl-password", "s3cr3t/with+chars=");
        assertThat((Map<String, Object>) manifests.get("ConfigMap", "mailer-config").get("data"))
                .containsEntry("KAFKA_SECURITY_PROTOCOL", "SASL_SSL").containsEntry("KAFKA_SASL_MECHANISM", "PLAIN");
        for (String component : COMPONENTS) {
            Map<String, Object> deployment = Workloads.deployment(manifests, component);
            assertThat(Workloads.secretEnv(deployment)).as(component).containsAllEntriesOf(SASL_FROM_EXISTING_SECRET);
            assertThat(kafkaPlainEnv(deployment)).as(component).isEmpty();
            assertThat(Workloads.secretFiles(deployment)).as(component).isEmpty();
        }
    }

    @Test
    void shouldRefuseToRenderASaslProtocolWithoutCredentialsInTheChartsSecret() {
        assertThatThrownBy(() -> Chart.templateWith(Map.of("config.kafkaSecurityProtocol", "SASL_SSL",
                "secrets.kafkaSaslPassword", "p")))
                .hasMessageContaining("secrets.kafkaSaslUsername is required with config.kafkaSecurityProtocol=SASL_SSL");
        assertThatThrownBy(() -> Chart.templateWith(Map.of("config.kafkaSecurityProtocol", "SASL_PLAINTEXT",
                "secrets.kafkaSaslUsername", "u")))
                .hasMessageContaining("secrets.kafkaSaslPassword is required with config.kafkaSecurityProtocol=SASL_PLAINTEXT");
    }

    @Test
    void shouldRefuseATruststoreWithAProtocolWithoutTls() {
        // the clients would ignore it and speak clear text to a TLS listener
        assertThatThrownBy(() -> Chart.templateWith(Map.of("kafkaTruststore.secretName", "kafka-ca")))
                .hasMessageContaining("kafkaTruststore.secretName is set but config.kafkaSecurityProtocol is PLAINTEXT");
    }

    @Test
    void shouldReadTheTruststorePasswordOfAPkcs12StoreFromTheTruststoreSecret() {
        // Given TLS only (no SASL) with a Strimzi-style PKCS12 cluster CA and its password in the same Secret
        Chart.Manifests manifests = Chart.Manifests.parse(Chart.templateWith(Map.of(
                "config.kafkaSecurityProtocol", "SSL", "kafkaTruststore.secretName", "kafka-cluster-ca-cert",
                "kafkaTruststore.key", "ca.p12", "kafkaTruststore.passwordKey", "ca.password")));

        for (String component : COMPONENTS) {
            Map<String, Object> deployment = Workloads.deployment(manifests, component);
            assertThat(kafkaPlainEnv(deployment)).as(component)
                    .isEqualTo(Map.of("KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/mailer/kafka-truststore/ca.p12"));
            assertThat(Workloads.secretEnv(deployment)).as(component)
                    .containsEntry("KAFKA_SSL_TRUSTSTORE_PASSWORD", "kafka-cluster-ca-cert/ca.password")
                    .doesNotContainKeys("KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD");
            // only the store is mounted: the password stays an env variable from the Secret
            assertThat(Workloads.secretFiles(deployment)).as(component)
                    .isEqualTo(Map.of("/etc/mailer/kafka-truststore/ca.p12", "kafka-cluster-ca-cert/ca.p12"));
        }
    }

    /** The Kafka security variables of a Deployment with a literal value. */
    private static Map<String, String> kafkaPlainEnv(Map<String, Object> deployment) {
        return Workloads.plainEnv(deployment).entrySet().stream().filter(e -> e.getKey().startsWith("KAFKA_"))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    private static Map<String, Map<String, String>> secretFilesByComponent(Chart.Manifests manifests) {
        Map<String, Map<String, String>> files = new LinkedHashMap<>();
        COMPONENTS.forEach(c -> files.put(c, Workloads.secretFiles(Workloads.deployment(manifests, c))));
        return files;
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> decoded(Map<String, Object> secret) {
        Map<String, String> data = new LinkedHashMap<>();
        ((Map<String, String>) secret.get("data")).forEach((k, v) ->
                data.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
        return data;
    }
}
