package io.mailer.dispatcher.ses;

import io.mailer.dispatcher.DispatcherProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sesv2.SesV2AsyncClient;
import software.amazon.awssdk.services.sesv2.SesV2AsyncClientBuilder;

/**
 * The SES v2 async client (Netty, non-blocking).
 *
 * <p>The SDK's retries are switched off on purpose: the dispatcher owns every retry. The SDK's
 * default strategy would retry throttling and 5xx three times out of sight, which (1) spends the
 * account's send rate without the rate limiter knowing, (2) hides how often SES pushes back (the
 * metrics would show one slow call), and (3) multiplies the duplicate risk of a call without an
 * idempotency token. One SDK call = one SES attempt, classified by {@link SesErrorClassifier}.
 */
@Configuration(proxyBeanMethods = false)
class SesClientConfiguration {

    /** See {@link SesEventLoops}; closed after the client, which depends on it. */
    @Bean
    SesEventLoops sesEventLoops() {
        return new SesEventLoops();
    }

    @Bean(destroyMethod = "close")
    SesV2AsyncClient sesClient(DispatcherProperties properties, SesEventLoops sesEventLoops) {
        DispatcherProperties.Ses ses = properties.ses();
        SesV2AsyncClientBuilder builder = SesV2AsyncClient.builder()
                .region(Region.of(ses.region()))
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .httpClientBuilder(NettyNioAsyncHttpClient.builder()
                        .eventLoopGroup(sesEventLoops.group())
                        // one connection per permitted in-flight call, plus headroom for slow closes
                        .maxConcurrency(properties.workerConcurrency() + 4))
                .overrideConfiguration(o -> o
                        .retryStrategy(AwsRetryStrategy.doNotRetry())
                        .addExecutionInterceptor(new AnswerTimeInterceptor())
                        .apiCallTimeout(ses.callTimeout()));
        if (ses.endpoint() != null) {
            builder.endpointOverride(ses.endpoint());
        }
        return builder.build();
    }
}
