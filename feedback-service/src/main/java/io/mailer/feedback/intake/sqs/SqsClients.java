package io.mailer.feedback.intake.sqs;

import io.mailer.feedback.intake.IntakeProperties;
import java.time.Duration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.SqsClientBuilder;

/**
 * The intake's SQS clients: the blocking SDK client on the Apache 5 HTTP client. Measured against
 * the async client on Netty it costs about half the CPU per call (no reactive-streams response
 * path, no event-loop hand-offs), and the pollers are threads blocked in a long poll anyway.
 *
 * <p>Two clients, two connection pools: {@link #receiver()} serves only the pollers' long polls
 * and can be cancelled as a whole at shutdown ({@link #cancelReceives()}), while
 * {@link #control()} keeps deleting and extending visibility for the messages still in work.
 */
public final class SqsClients implements AutoCloseable {

    private final CancellableHttpClient receiveHttp;
    private final SdkHttpClient controlHttp;
    private final SqsClient receiver;
    private final SqsClient control;

    private SqsClients(CancellableHttpClient receiveHttp, SdkHttpClient controlHttp, IntakeProperties properties) {
        this.receiveHttp = receiveHttp;
        this.controlHttp = controlHttp;
        this.receiver = build(properties, receiveHttp);
        this.control = build(properties, controlHttp);
    }

    public static SqsClients create(IntakeProperties properties) {
        CancellableHttpClient receiveHttp = new CancellableHttpClient(Apache5HttpClient.builder()
                // must outlast the 20 s long poll
                .socketTimeout(Duration.ofSeconds(properties.waitSeconds() + 10L))
                .maxConnections(properties.pollers() + 1)
                .build());
        SdkHttpClient controlHttp = Apache5HttpClient.builder()
                // one per delete thread, plus the visibility heartbeat
                .maxConnections(properties.deleters() + 2)
                .build();
        return new SqsClients(receiveHttp, controlHttp, properties);
    }

    private static SqsClient build(IntakeProperties properties, SdkHttpClient http) {
        SqsClientBuilder builder = SqsClient.builder().region(Region.of(properties.region())).httpClient(http);
        if (properties.endpoint() != null) {
            builder.endpointOverride(properties.endpoint());
        }
        return builder.build();
    }

    /** For ReceiveMessage only. */
    public SqsClient receiver() {
        return receiver;
    }

    /** For DeleteMessageBatch and ChangeMessageVisibilityBatch. */
    public SqsClient control() {
        return control;
    }

    /** Fails every receive in progress at once, and any started later, until {@link #resumeReceives()}. */
    void cancelReceives() {
        receiveHttp.cancelAll();
    }

    void resumeReceives() {
        receiveHttp.resume();
    }

    /** Receives waiting for SQS right now (observable state for tests and diagnostics). */
    int receivesInProgress() {
        return receiveHttp.inProgress();
    }

    @Override
    public void close() {
        // an SDK client does not close an HTTP client it was given
        receiver.close();
        control.close();
        receiveHttp.close();
        controlHttp.close();
    }
}
