package io.mailer.ingress.auth;

import io.mailer.ingress.web.Problems;
import java.util.Set;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Requires {@code Authorization: Bearer <key>} on {@code /api/v1/**}, except the probes. Answers
 * 401 problem+json without saying whether the key exists, was revoked or was malformed.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public class BearerAuthFilter implements WebFilter {

    private static final Set<String> PUBLIC = Set.of("/api/v1/health", "/api/v1/ready");

    private final ApiKeyResolver resolver;
    private final Problems problems;

    public BearerAuthFilter(ApiKeyResolver resolver, Problems problems) {
        this.resolver = resolver;
        this.problems = problems;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        if (!path.startsWith("/api/v1/") || PUBLIC.contains(path)) {
            return chain.filter(exchange);
        }
        String header = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() <= 7) {
            return unauthorized(exchange, "Missing bearer API key: send 'Authorization: Bearer <key>'.");
        }
        String key = header.substring(7).trim();
        return resolver.resolve(key)
                .flatMap(principal -> {
                    exchange.getAttributes().put(ApiPrincipal.ATTRIBUTE, principal);
                    return chain.filter(exchange).then(Mono.just(true));
                })
                .switchIfEmpty(Mono.defer(() -> unauthorized(exchange, "Invalid or revoked API key.").then(Mono.just(false))))
                .then();
    }

    private Mono<Void> unauthorized(ServerWebExchange exchange, String detail) {
        exchange.getResponse().getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        return problems.write(exchange, HttpStatus.UNAUTHORIZED, "unauthorized", detail, null);
    }
}
