package io.mailer.ingress.auth;

import java.net.InetSocketAddress;
import java.util.Set;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Requires {@code Authorization: Bearer <key>} on {@code /api/v1/**}, except the probes. Fails
 * with {@link AuthenticationFailed} (401) without saying whether the key exists, was revoked or
 * was malformed. An address with too many failed keys is refused before any lookup
 * ({@link FailedAuthLimiter}, 429).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class BearerAuthFilter implements WebFilter {

    private static final Set<String> PUBLIC = Set.of("/api/v1/health", "/api/v1/ready");

    private final ApiKeyResolver resolver;
    private final FailedAuthLimiter failures = new FailedAuthLimiter(System::currentTimeMillis, FailedAuthLimiter.MAX_ADDRESSES);

    public BearerAuthFilter(ApiKeyResolver resolver) {
        this.resolver = resolver;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        if (!path.startsWith("/api/v1/") || PUBLIC.contains(path)) {
            return chain.filter(exchange);
        }
        String header = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() <= 7) {
            return unauthorized("Missing bearer API key: send 'Authorization: Bearer <key>'.");
        }
        String key = header.substring(7).trim();
        String address = clientAddress(exchange);
        long retryAfter = failures.retryAfterSeconds(address);
        // a key that authenticated recently is no guess: clients sharing an address (NAT, a proxy)
        // with someone guessing keys keep working
        if (retryAfter > 0 && !resolver.recentlyValid(key)) {
            return Mono.error(new AuthenticationFailed("Too many failed authentications from this address (more than "
                    + FailedAuthLimiter.MAX_FAILURES + " a minute); retry after " + retryAfter + " s.", retryAfter));
        }
        return resolver.resolve(key)
                .flatMap(principal -> {
                    exchange.getAttributes().put(ApiPrincipal.ATTRIBUTE, principal);
                    return chain.filter(exchange).then(Mono.just(true));
                })
                .switchIfEmpty(Mono.defer(() -> {
                    failures.failed(address);
                    return unauthorized("Invalid or revoked API key.");
                }))
                .then();
    }

    /** The TCP peer: forwarded headers are not trusted (anyone can send them to dodge the limit). */
    private static String clientAddress(ServerWebExchange exchange) {
        InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
        return remote == null || remote.getAddress() == null ? "unknown" : remote.getAddress().getHostAddress();
    }

    FailedAuthLimiter failures() {
        return failures;
    }

    private static <T> Mono<T> unauthorized(String detail) {
        return Mono.error(new AuthenticationFailed(detail, 0));
    }
}
