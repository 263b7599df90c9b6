package io.mailer.platform.settings;

import java.util.ArrayList;
import java.util.List;

/**
 * Auto-configurations a service turns off because it does not use what they configure: the local
 * launcher runs every service on one shared classpath, so each would otherwise create what another
 * brought (an R2DBC ConnectionFactory in the feedback service, a DataSource in the dispatcher).
 */
public enum UnusedAutoConfigurations {

    JDBC(
            "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.DataSourceInitializationAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.JdbcClientAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.health.DataSourceHealthContributorAutoConfiguration",
            "org.springframework.boot.jdbc.autoconfigure.metrics.DataSourcePoolMetricsAutoConfiguration"),
    R2DBC(
            "org.springframework.boot.r2dbc.autoconfigure.R2dbcAutoConfiguration",
            "org.springframework.boot.r2dbc.autoconfigure.R2dbcInitializationAutoConfiguration",
            "org.springframework.boot.r2dbc.autoconfigure.R2dbcProxyAutoConfiguration",
            "org.springframework.boot.r2dbc.autoconfigure.R2dbcTransactionManagerAutoConfiguration",
            "org.springframework.boot.r2dbc.autoconfigure.health.ConnectionFactoryHealthContributorAutoConfiguration",
            "org.springframework.boot.r2dbc.autoconfigure.metrics.ConnectionPoolMetricsAutoConfiguration",
            "org.springframework.boot.r2dbc.autoconfigure.observation.R2dbcObservationAutoConfiguration",
            "org.springframework.boot.data.r2dbc.autoconfigure.DataR2dbcAutoConfiguration",
            "org.springframework.boot.data.r2dbc.autoconfigure.DataR2dbcRepositoriesAutoConfiguration"),
    LIQUIBASE(
            "org.springframework.boot.liquibase.autoconfigure.LiquibaseAutoConfiguration",
            "org.springframework.boot.liquibase.autoconfigure.LiquibaseEndpointAutoConfiguration");

    private final List<String> classNames;

    UnusedAutoConfigurations(String... classNames) {
        this.classNames = List.of(classNames);
    }

    public List<String> classNames() {
        return classNames;
    }

    /** The value of {@code spring.autoconfigure.exclude} for these groups. */
    public static String exclude(UnusedAutoConfigurations... groups) {
        List<String> names = new ArrayList<>();
        for (UnusedAutoConfigurations g : groups) {
            names.addAll(g.classNames);
        }
        return String.join(",", names);
    }
}
