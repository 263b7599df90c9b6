package io.mailer.dispatcher.system;

import io.mailer.platform.settings.ProbePathsFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The probe URLs of the deployment contract: {@code GET /api/v1/health} (liveness group) and
 * {@code GET /api/v1/ready} (readiness group), 200 when UP and 503 otherwise.
 */
@Configuration(proxyBeanMethods = false)
public class ProbeRoutes {

    @Bean
    ProbePathsFilter probePathsFilter() {
        return new ProbePathsFilter();
    }
}
