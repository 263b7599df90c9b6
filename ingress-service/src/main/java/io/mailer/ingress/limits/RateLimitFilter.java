package io.mailer.ingress.limits;

import io.mailer.ingress.auth.ApiPrincipal;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/** Requests per second per API key, checked right after authentication. */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 20)
class RateLimitFilter implements WebFilter {

    private final RateLimits limits;

    public RateLimitFilter(RateLimits limits) {
        this.limits = limits;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ApiPrincipal principal = exchange.getAttribute(ApiPrincipal.ATTRIBUTE);
        if (principal != null) {
            try {
                limits.request(principal);
            } catch (RateLimits.LimitExceeded e) {
                return Mono.error(e);
            }
        }
        return chain.filter(exchange);
    }
}
