package io.mailer.platform.settings;

import java.time.Duration;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * Reactor Netty event loops owned by each application context instead of the JVM-wide global
 * ones. With the global resources, closing ANY Boot context in the JVM (another service in the
 * local launcher, a second instance in a test) disposes the loops every other context's web
 * server runs on, which then refuses connections. Boot's own factory backs off from this bean.
 * {@link MailerApplication} registers it for every service.
 */
@Configuration(proxyBeanMethods = false)
public class PerContextWebResources {

    /**
     * Honours Boot's {@code spring.reactor.netty.shutdown-quiet-period} as Boot's own factory would
     * (unset: Reactor's 2 s, which every context's stop waits through). The local launcher sets it
     * to 0: the servers have drained their requests (graceful shutdown) before the loops stop.
     */
    @Bean
    public ReactorResourceFactory reactorResourceFactory(Environment environment) {
        ReactorResourceFactory factory = new ReactorResourceFactory();
        factory.setUseGlobalResources(false);
        Binder.get(environment).bind("spring.reactor.netty.shutdown-quiet-period", Duration.class)
                .ifBound(factory::setShutdownQuietPeriod);
        return factory;
    }
}
