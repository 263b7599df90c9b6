package io.mailer.ctl;

import java.net.URI;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sesv2.SesV2Client;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/** The three read-only clients of doctor: default credential chain, optional endpoint overrides (the sandbox). */
record AwsClients(SesV2Client ses, SnsClient sns, SqsClient sqs) implements AutoCloseable {

    static AwsClients create(String region, String sesEndpoint, String snsEndpoint, String sqsEndpoint) {
        Region r = Region.of(region);
        var ses = SesV2Client.builder().region(r).httpClientBuilder(UrlConnectionHttpClient.builder());
        var sns = SnsClient.builder().region(r).httpClientBuilder(UrlConnectionHttpClient.builder());
        var sqs = SqsClient.builder().region(r).httpClientBuilder(UrlConnectionHttpClient.builder());
        if (sesEndpoint != null) {
            ses.endpointOverride(URI.create(sesEndpoint));
        }
        if (snsEndpoint != null) {
            sns.endpointOverride(URI.create(snsEndpoint));
        }
        if (sqsEndpoint != null) {
            sqs.endpointOverride(URI.create(sqsEndpoint));
        }
        return new AwsClients(ses.build(), sns.build(), sqs.build());
    }

    @Override
    public void close() {
        ses.close();
        sns.close();
        sqs.close();
    }
}
