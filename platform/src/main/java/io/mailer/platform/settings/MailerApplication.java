package io.mailer.platform.settings;

import io.mailer.platform.jobs.MigrationLock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.ClassUtils;

/**
 * Starts a Mailer service: validates its environment variables first, then runs Spring Boot with
 * the derived Spring properties placed ahead of every other property source.
 *
 * <p>{@link #start} takes explicit overrides so the one-JVM local launcher and the tests can start
 * several services side by side, each with its own variables, exactly as separate processes would.
 */
public final class MailerApplication {

    private MailerApplication() {
    }

    /** Entry point for a service's {@code main}: a bad configuration prints its problems and exits 2. */
    public static ConfigurableApplicationContext runOrExit(Class<?> app, String service, List<Setting> spec,
            Function<ServiceSettings, Map<String, Object>> springProperties, String... args) {
        try {
            return start(app, service, spec, Map.of(), springProperties, args);
        } catch (InvalidSettingsException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return null;
        }
    }

    public static ConfigurableApplicationContext start(Class<?> app, String service, List<Setting> spec,
            Map<String, String> overrides, Function<ServiceSettings, Map<String, Object>> springProperties,
            String... args) {
        Map<String, String> source = new HashMap<>(System.getenv());
        source.putAll(overrides);
        boolean kafka = spec.stream().anyMatch(s -> s.name().equals(CommonSettings.KAFKA_BOOTSTRAP_SERVERS.name()));
        List<Setting> fullSpec = new ArrayList<>(spec);
        if (kafka) {
            KafkaSecurity.SETTINGS.stream().filter(s -> !spec.contains(s)).forEach(fullSpec::add);
        }
        ServiceSettings settings = ServiceSettings.resolve(service, fullSpec, source);
        Map<String, Object> props = new HashMap<>(springProperties.apply(settings));
        if (kafka) {
            List<String> problems = KafkaSecurity.problems(settings);
            if (!problems.isEmpty()) {
                throw new InvalidSettingsException(service, problems);
            }
            // Spring Kafka hands spring.kafka.properties.* to every client it builds
            KafkaSecurity.clientProperties(settings).forEach((k, v) -> props.put("spring.kafka.properties." + k, v));
        }
        props.put("spring.application.name", service);
        // the raw variables too, so beans can bind them with @Value("${NAME}") if they need to
        props.putAll(settings.asMap());
        return new SpringApplicationBuilder(app, PerContextWebResources.class)
                // each service reads <service>.yml, never application.yml: several services share
                // one classpath in the local launcher and their files must not shadow each other
                .properties("spring.config.name=" + service)
                .initializers(ctx -> {
                    ctx.getEnvironment().getPropertySources().addFirst(new MapPropertySource(service + "-settings", props));
                    if (ClassUtils.isPresent("liquibase.integration.spring.SpringLiquibase", MailerApplication.class.getClassLoader())) {
                        ctx.getBeanFactory().addBeanPostProcessor(new MigrationLock());
                    }
                })
                .run(args);
    }
}
