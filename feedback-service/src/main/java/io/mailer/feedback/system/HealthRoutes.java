package io.mailer.feedback.system;

import io.mailer.platform.settings.ProbePathsFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The contract's probe URLs, {@code GET /api/v1/health} (liveness group) and {@code GET /api/v1/ready}
 * (readiness group: readinessState, db, kafka), served from the actuator health groups.
 */
@Configuration(proxyBeanMethods = false)
public class HealthRoutes {

    @Bean
    public ProbePathsFilter probePathsFilter() {
        return new ProbePathsFilter();
    }
}
