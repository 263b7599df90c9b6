package io.mailer.helm;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** values.schema.json turns a mistake in values into a failed install, not a broken cluster. */
class ValuesSchemaTest {

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
            "dispatcher.replicas, 3",                      // misspelt key (replicaCount)
            "dispatcher.autoscaling.maxReplicas, many",    // not an integer
            "ingress.port, 70000",                         // not a port
            "topics.replicationFactor, 0",                 // below 1
            "secrets.bootstrapAdminKey, too-short",        // the service needs at least 32 characters
            "config.sqsQueueUrl, sqs-queue",               // not an http(s) URL
            "ingress.probes.liveness.path, api/v1/health", // not an absolute path
            "config.kafkaSecurityProtocol, SASL_TLS",      // not a Kafka security protocol
            "config.kafkaSaslMechanism, SCRAM-SHA-1",      // not a mechanism the services support
            "kafkaTruststore.key, ../ca.crt",              // not a Secret key (a path)
            "postgresRootCert.secretName, RDS_CA",         // not a Kubernetes name
            "networkPolicy.kafka.ports[0], kafka",        // not a port
            "keda.dispatcher.maxReplicas, many",           // not an integer
            "httpIngress.batchesMaxBodySize, 1 GB",        // not an nginx size
            "metrics.prometheusRule.runbookBaseUrl, docs", // not a URL
            "topics.timeoutSeconds, 5",                    // below a minute
    })
    void shouldRejectValuesTheSchemaForbids(String key, String value) {
        assertThatThrownBy(() -> Chart.templateWith(Map.of(key, value)))
                .hasMessageContaining("values don't meet the specifications of the schema");
    }
}
