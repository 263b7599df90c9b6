package io.mailer.platform.settings;

import java.util.Map;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Serves the deployment guide's probe paths from the actuator health groups:
 * {@code /api/v1/health} → liveness, {@code /api/v1/ready} → readiness. (Actuator's own
 * {@code additional-path} only takes a single path segment, so it cannot express these.)
 * Register it as a bean in each service.
 */
public class ProbePathsFilter implements WebFilter {

    private static final Map<String, String> PROBES = Map.of(
            "/api/v1/health", "/actuator/health/liveness",
            "/api/v1/ready", "/actuator/health/readiness");

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String target = PROBES.get(exchange.getRequest().getPath().pathWithinApplication().value());
        if (target == null) {
            return chain.filter(exchange);
        }
        return chain.filter(exchange.mutate().request(r -> r.path(target)).build());
    }
}
