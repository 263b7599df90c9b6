package io.mailer.ingress.auth;

import io.mailer.ingress.web.Problems;
import java.net.InetSocketAddress;
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
 * 401 problem+json without saying whether the key exists, was revoked or was malformed. An
 * address with too many failed keys gets 429 before any lookup ({@link FailedAuthLimiter}).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public class BearerAuthFilter implements WebFilter {

    private static final Set<String> PUBLIC = Set.of("/api/v1/health", "/api/v1/ready");

    private final ApiKeyResolver resolver;
    private final Problems problems;
    private final FailedAuthLimiter failures = new FailedAuthLimiter(System::currentTimeMillis, FailedAuthLimiter.MAX_ADDRESSES);

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
        String address = clientAddress(exchange);
        long retryAfter = failures.retryAfterSeconds(address);
        // a key that authenticated recently is no guess: clients sharing an address (NAT, a proxy)
        // with someone guessing keys keep working
        if (retryAfter > 0 && !resolver.recentlyValid(key)) {
            exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter));
            return problems.write(exchange, HttpStatus.TOO_MANY_REQUESTS, "too-many-requests", "Too many failed authentications from "
                    + "this address (more than " + FailedAuthLimiter.MAX_FAILURES + " a minute); retry after " + retryAfter + " s.", null);
        }
        return resolver.resolve(key)
                .flatMap(principal -> {
                    exchange.getAttributes().put(ApiPrincipal.ATTRIBUTE, principal);
                    return chain.filter(exchange).then(Mono.just(true));
                })
                .switchIfEmpty(Mono.defer(() -> {
                    failures.failed(address);
                    return unauthorized(exchange, "Invalid or revoked API key.").then(Mono.just(false));
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

    private Mono<Void> unauthorized(ServerWebExchange exchange, String detail) {
        exchange.getResponse().getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        return problems.write(exchange, HttpStatus.UNAUTHORIZED, "unauthorized", detail, null);
    }
}
