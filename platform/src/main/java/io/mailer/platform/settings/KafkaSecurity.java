package io.mailer.platform.settings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * How every Kafka client of every service authenticates and encrypts: TLS (with an optional private
 * CA) and SASL PLAIN / SCRAM, as managed clusters (MSK, Confluent Cloud, Aiven, Strimzi) require.
 * {@link MailerApplication} adds these settings to any service that talks to Kafka and hands the
 * resulting client properties to Spring Kafka ({@code spring.kafka.properties.*}), from which the
 * producers, consumers, admin clients and Streams of the services are built.
 *
 * <p>The JAAS line is assembled here from a user name and a password, so operators never have to
 * quote one by hand; Kafka logs {@code sasl.jaas.config} as {@code [hidden]}.
 */
public final class KafkaSecurity {

    private static final Set<String> PROTOCOLS = Set.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");
    private static final Map<String, String> LOGIN_MODULES = Map.of(
            "PLAIN", "org.apache.kafka.common.security.plain.PlainLoginModule",
            "SCRAM-SHA-256", "org.apache.kafka.common.security.scram.ScramLoginModule",
            "SCRAM-SHA-512", "org.apache.kafka.common.security.scram.ScramLoginModule");

    public static final Setting KAFKA_SECURITY_PROTOCOL = Setting.optional("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT",
            oneOf(PROTOCOLS), "PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL");
    public static final Setting KAFKA_SASL_MECHANISM = Setting.optional("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
            oneOf(LOGIN_MODULES.keySet()), "PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (with a SASL_ protocol)");
    public static final Setting KAFKA_SASL_USERNAME = Setting.optional("KAFKA_SASL_USERNAME", null, Checks.ANY,
            "SASL user name (with a SASL_ protocol)");
    public static final Setting KAFKA_SASL_PASSWORD = Setting.optional("KAFKA_SASL_PASSWORD", null, Checks.ANY,
            "SASL password (with a SASL_ protocol); keep it in a Secret");
    public static final Setting KAFKA_SSL_TRUSTSTORE_LOCATION = Setting.optional("KAFKA_SSL_TRUSTSTORE_LOCATION", null,
            KafkaSecurity::readableFile, "CA certificates the brokers' TLS certificates chain to: a .pem/.crt, "
                    + ".p12 or .jks file; omit to trust the JVM's default CAs");
    public static final Setting KAFKA_SSL_TRUSTSTORE_PASSWORD = Setting.optional("KAFKA_SSL_TRUSTSTORE_PASSWORD", null,
            Checks.ANY, "password of a .p12/.jks truststore");

    public static final List<Setting> SETTINGS = List.of(KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_MECHANISM,
            KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD, KAFKA_SSL_TRUSTSTORE_LOCATION, KAFKA_SSL_TRUSTSTORE_PASSWORD);

    private KafkaSecurity() {
    }

    /** Problems between the variables (each is valid alone), named like {@link ServiceSettings}' own. */
    public static List<String> problems(ServiceSettings s) {
        List<String> problems = new ArrayList<>();
        String protocol = s.get(KAFKA_SECURITY_PROTOCOL.name());
        if (protocol != null && protocol.startsWith("SASL_")) {
            for (Setting required : List.of(KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD)) {
                if (!s.has(required.name())) {
                    problems.add(required.name() + " is required with KAFKA_SECURITY_PROTOCOL=" + protocol);
                }
            }
        }
        return problems;
    }

    /** The Kafka client properties for these settings (empty for PLAINTEXT). */
    public static Map<String, String> clientProperties(ServiceSettings s) {
        Map<String, String> p = new LinkedHashMap<>();
        String protocol = s.get(KAFKA_SECURITY_PROTOCOL.name());
        if (protocol == null || protocol.equals("PLAINTEXT")) {
            return p;
        }
        p.put("security.protocol", protocol);
        if (protocol.startsWith("SASL_")) {
            String mechanism = s.get(KAFKA_SASL_MECHANISM.name());
            p.put("sasl.mechanism", mechanism);
            p.put("sasl.jaas.config", LOGIN_MODULES.get(mechanism) + " required username=\""
                    + jaasEscape(s.get(KAFKA_SASL_USERNAME.name())) + "\" password=\""
                    + jaasEscape(s.get(KAFKA_SASL_PASSWORD.name())) + "\";");
        }
        if (s.has(KAFKA_SSL_TRUSTSTORE_LOCATION.name())) {
            String location = s.get(KAFKA_SSL_TRUSTSTORE_LOCATION.name());
            p.put("ssl.truststore.location", location);
            p.put("ssl.truststore.type", storeType(location));
            if (s.has(KAFKA_SSL_TRUSTSTORE_PASSWORD.name())) {
                p.put("ssl.truststore.password", s.get(KAFKA_SSL_TRUSTSTORE_PASSWORD.name()));
            }
        }
        return p;
    }

    private static String storeType(String location) {
        String name = location.toLowerCase(Locale.ROOT);
        if (name.endsWith(".jks")) {
            return "JKS";
        }
        if (name.endsWith(".p12") || name.endsWith(".pfx")) {
            return "PKCS12";
        }
        return "PEM";
    }

    // JAAS options are double-quoted strings parsed with java.io.StreamTokenizer escapes
    private static String jaasEscape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private static Setting.Check oneOf(Set<String> allowed) {
        return value -> allowed.contains(value.trim()) ? null
                : "must be one of " + allowed.stream().sorted().toList();
    }

    private static String readableFile(String value) {
        Path path = Path.of(value.trim());
        return Files.isRegularFile(path) && Files.isReadable(path) ? null : "must be a readable file";
    }
}
