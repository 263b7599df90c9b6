package io.mailer.schemas.settings;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
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

    @Bean
    public ReactorResourceFactory reactorResourceFactory() {
        ReactorResourceFactory factory = new ReactorResourceFactory();
        factory.setUseGlobalResources(false);
        return factory;
    }
}
