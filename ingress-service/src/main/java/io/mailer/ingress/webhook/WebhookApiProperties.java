package io.mailer.ingress.webhook;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The webhook URL rules ingress applies when a URL is set (the relay applies the same before every
 * request).
 *
 * @param allowHttp       {@code WEBHOOK_ALLOW_HTTP}: http:// accepted (local runs)
 * @param allowedNetworks {@code WEBHOOK_ALLOWED_NETWORKS}: CIDRs exempt from the public-address rule
 * @param maxPerTenant    endpoints one tenant may have
 */
@ConfigurationProperties("mailer.ingress.webhooks")
record WebhookApiProperties(boolean allowHttp, String allowedNetworks, int maxPerTenant) {

    public WebhookApiProperties {
        allowedNetworks = allowedNetworks == null ? "" : allowedNetworks;
        maxPerTenant = maxPerTenant <= 0 ? 20 : maxPerTenant;
    }
}
