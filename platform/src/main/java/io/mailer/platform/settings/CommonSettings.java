package io.mailer.platform.settings;

import io.mailer.schemas.kafka.Topics;

/** Settings of the contract shared by several services (see docs/architecture.md). */
public final class CommonSettings {

    private CommonSettings() {
    }

    public static final Setting KAFKA_BOOTSTRAP_SERVERS = Setting.required("KAFKA_BOOTSTRAP_SERVERS",
            Checks.HOST_PORT_LIST, "Kafka bootstrap list, e.g. localhost:9092");
    public static final Setting MAILER_TOPIC_PREFIX = Setting.optional("MAILER_TOPIC_PREFIX",
            Topics.DEFAULT_PREFIX, Checks.ANY, "topic name prefix");
    public static final Setting DATABASE_URL = Setting.required("DATABASE_URL", Checks.DATABASE_URL,
            "PostgreSQL URL, e.g. postgres://user:pass@host:5432/mailer");
    public static final Setting AWS_REGION = Setting.required("AWS_REGION", Checks.NON_BLANK,
            "AWS region, e.g. us-east-1");
    public static final Setting MAIL_FROM = Setting.optional("MAIL_FROM", null, Checks.MAILBOX,
            "default From address");

    public static Setting port(String defaultPort) {
        return Setting.optional("PORT", defaultPort, Checks.PORT, "HTTP port");
    }
}
