package io.mailer.platform.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaSecurityTest {

    private static ServiceSettings resolve(Map<String, String> env) {
        return ServiceSettings.resolve("svc", KafkaSecurity.SETTINGS, env);
    }

    @Test
    void shouldAddNothingForPlaintext() {
        assertThat(KafkaSecurity.clientProperties(resolve(Map.of()))).isEmpty();
        assertThat(KafkaSecurity.problems(resolve(Map.of()))).isEmpty();
    }

    @Test
    void shouldBuildScramOverTlsWithAnEscapedJaasLineAndAPemTruststore(@TempDir Path dir) throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        ServiceSettings s = resolve(Map.of("KAFKA_SECURITY_PROTOCOL", "SASL_SSL", "KAFKA_SASL_USERNAME", "mailer",
                "KAFKA_SASL_PASSWORD", "p\"a\\ss", "KAFKA_SSL_TRUSTSTORE_LOCATION", ca.toString()));
        assertThat(KafkaSecurity.clientProperties(s)).isEqualTo(Map.of(
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                        + "username=\"mailer\" password=\"p\\\"a\\\\ss\";",
                "ssl.truststore.location", ca.toString(),
                "ssl.truststore.type", "PEM"));
    }

    @Test
    void shouldNameMissingCredentialsAndBadValues() {
        assertThat(KafkaSecurity.problems(resolve(Map.of("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
                "KAFKA_SASL_MECHANISM", "PLAIN")))).containsExactly(
                "KAFKA_SASL_USERNAME is required with KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT",
                "KAFKA_SASL_PASSWORD is required with KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT");
        assertThatThrownBy(() -> resolve(Map.of("KAFKA_SECURITY_PROTOCOL", "TLS", "KAFKA_SASL_MECHANISM", "GSSAPI",
                "KAFKA_SSL_TRUSTSTORE_LOCATION", "/nonexistent/ca.pem")))
                .isInstanceOf(InvalidSettingsException.class)
                .satisfies(e -> assertThat(((InvalidSettingsException) e).problems()).containsExactly(
                        "KAFKA_SECURITY_PROTOCOL must be one of [PLAINTEXT, SASL_PLAINTEXT, SASL_SSL, SSL] "
                                + "(PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL)",
                        "KAFKA_SASL_MECHANISM must be one of [PLAIN, SCRAM-SHA-256, SCRAM-SHA-512] "
                                + "(PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (with a SASL_ protocol))",
                        "KAFKA_SSL_TRUSTSTORE_LOCATION must be a readable file (CA certificates the brokers' TLS "
                                + "certificates chain to: a .pem/.crt, .p12 or .jks file; omit to trust the JVM's "
                                + "default CAs)"));
    }
}
