package io.mailer.devstack;

import java.net.URI;
import java.util.Map;
import org.elasticmq.NodeAddress;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Amazon SQS in this JVM: ElasticMQ's REST server (it speaks the AWS JSON protocol the SDK v2
 * uses). Queues live in memory.
 */
public final class EmbeddedSqs implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedSqs.class);
    public static final String REGION = "us-east-1";
    public static final String ACCOUNT_ID = "000000000000";

    private final SQSRestServer server;
    private final int port;
    private final SqsClient client;
    private volatile boolean closed;

    private EmbeddedSqs(SQSRestServer server, int port) {
        this.server = server;
        this.port = port;
        this.client = newClient(endpoint());
    }

    /** ElasticMQ on a random port. */
    public static EmbeddedSqs start() {
        return start(0);
    }

    /** ElasticMQ on {@code port} (0 = random). */
    public static EmbeddedSqs start(int port) {
        int bound = Ports.orFree(port);
        // The server address is what ElasticMQ writes into queue URLs: make it the real one.
        SQSRestServer server = SQSRestServerBuilder
                .withInterface("localhost")
                .withPort(bound)
                .withServerAddress(new NodeAddress("http", "localhost", bound, ""))
                .withAWSRegion(REGION)
                .withAWSAccountId(ACCOUNT_ID)
                .start();
        server.waitUntilStarted();
        log.info("Embedded SQS (ElasticMQ) ready on http://localhost:{}", bound);
        return new EmbeddedSqs(server, bound);
    }

    /** The SQS_ENDPOINT for SDK clients. */
    public String endpoint() {
        return "http://localhost:" + port;
    }

    public int port() {
        return port;
    }

    /** Creates (or finds) a standard queue and returns its URL. */
    public String createQueue(String name) {
        return client.createQueue(b -> b.queueName(name)
                .attributes(Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "30"))).queueUrl();
    }

    /** The queue's ARN (what an SNS subscription names as its endpoint). */
    public String queueArn(String queueUrl) {
        return client.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
    }

    /** The kit's own client (dummy credentials, url-connection HTTP); do not close it. */
    public SqsClient client() {
        return client;
    }

    /** A new SDK client for {@code endpoint} with dummy credentials; the caller closes it. */
    public static SqsClient newClient(String endpoint) {
        return SqsClient.builder()
                .endpointOverride(URI.create(endpoint))
                .region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        client.close();
        server.stopAndWait();
    }
}
