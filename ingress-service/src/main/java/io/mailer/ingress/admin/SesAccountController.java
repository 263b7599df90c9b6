package io.mailer.ingress.admin;

import io.mailer.ingress.auth.ApiPrincipal;
import io.mailer.ingress.auth.TenantScope;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sesv2.SesV2AsyncClient;
import software.amazon.awssdk.services.sesv2.SesV2AsyncClientBuilder;
import software.amazon.awssdk.services.sesv2.model.GetAccountResponse;
import software.amazon.awssdk.services.sesv2.model.SendQuota;

/**
 * {@code GET /api/v1/admin/ses-account} (operator admins): the SES account as the dispatchers see
 * it — SES GetAccount's send rate limit, 24-hour quota and whether sending is enabled — so the
 * console's pipeline page shows the limit beside the current rate and whether the account is
 * paused. Ingress needs {@code AWS_REGION} for it (and {@code ses:GetAccount}); without it the
 * answer says {@code configured: false}.
 */
@RestController
class SesAccountController implements DisposableBean {

    /**
     * {@code maxSendRate}: SES's limit; {@code configuredMaxSendRate}: SES_MAX_SEND_RATE, the rate the
     * dispatchers use instead when set; {@code paused}: sending disabled or the 24-hour quota used up
     * (the dispatchers hold sends, they do not fail them).
     */
    record SesAccount(boolean configured, Double maxSendRate, Double configuredMaxSendRate, Double max24HourSend,
            Double sentLast24Hours, Boolean sendingEnabled, String enforcementStatus, Boolean paused) {
    }

    private final SesV2AsyncClient ses;
    /**
     * The client's Netty threads, owned here: the SDK stops its own with a fixed 2 s quiet period,
     * which every ingress shutdown paid; when they stop the client is closed, so nothing is left to run.
     */
    private final SdkEventLoopGroup loops;
    private final Double configuredRate;

    SesAccountController(@Value("${mailer.ingress.ses.region:}") String region, @Value("${mailer.ingress.ses.endpoint:}") String endpoint,
            @Value("${mailer.ingress.ses.max-send-rate:}") String maxSendRate) {
        this.configuredRate = maxSendRate.isBlank() ? null : Double.valueOf(maxSendRate);
        if (region.isBlank()) {
            this.ses = null;
            this.loops = null;
            return;
        }
        this.loops = SdkEventLoopGroup.builder().numberOfThreads(1).build();
        SesV2AsyncClientBuilder builder = SesV2AsyncClient.builder().region(Region.of(region))
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .httpClientBuilder(NettyNioAsyncHttpClient.builder().eventLoopGroup(loops).maxConcurrency(2))
                .overrideConfiguration(o -> o.apiCallTimeout(Duration.ofSeconds(5)));
        if (!endpoint.isBlank()) {
            builder.endpointOverride(URI.create(endpoint));
        }
        this.ses = builder.build();
    }

    @GetMapping(path = "/api/v1/admin/ses-account", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<SesAccount> account(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal) {
        principal.require(ApiPrincipal.Scope.ADMIN);
        // the whole account's figures, shared by every tenant: operator admins only
        TenantScope.requireOperator(principal);
        if (ses == null) {
            return Mono.just(new SesAccount(false, null, configuredRate, null, null, null, null, null));
        }
        return Mono.fromFuture(() -> ses.getAccount(r -> { }))
                .map(this::view)
                .onErrorMap(e -> new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE,
                        "SES GetAccount failed (" + e.getClass().getSimpleName() + "); check AWS_REGION, credentials and ses:GetAccount.", e));
    }

    SesAccount view(GetAccountResponse account) {
        SendQuota quota = account.sendQuota();
        Double max24 = quota == null ? null : quota.max24HourSend();
        Double sent24 = quota == null ? null : quota.sentLast24Hours();
        boolean enabled = !Boolean.FALSE.equals(account.sendingEnabled());
        // the dispatcher's AccountMonitor rule: disabled, or a (non-negative) daily quota used up
        boolean quotaUsed = max24 != null && max24 >= 0 && sent24 != null && sent24 >= max24;
        return new SesAccount(true, quota == null ? null : quota.maxSendRate(), configuredRate, max24, sent24,
                account.sendingEnabled(), account.enforcementStatus(), !enabled || quotaUsed);
    }

    @Override
    public void destroy() {
        if (ses != null) {
            ses.close();
            loops.eventLoopGroup().shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(6, TimeUnit.SECONDS);
        }
    }
}
