package io.mailer.devstack;

import io.mailer.schemas.kafka.Topics;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole local infrastructure in one object: Kafka (with the registry topics), PostgreSQL,
 * SQS (with the SES event queue) and the SES sandbox publishing to that queue. {@link #env()}
 * is what a service's {@code start(env)} needs. Closing stops everything in reverse order.
 */
public final class DevStack implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DevStack.class);

    public static final String QUEUE_NAME = "mailer-ses-events";
    public static final String BOOTSTRAP_ADMIN_KEY = "mk_dev_bootstrap_admin_key_change_me_0000000000";
    public static final String UNSUBSCRIBE_BASE_URL = "http://localhost:3000";
    public static final String UNSUBSCRIBE_SECRET = "dev-unsubscribe-secret-change-me-0123456789abcdef";
    public static final String AWS_REGION = "us-east-1";
    public static final String MAIL_FROM = "Mailer Dev <dev@mailer.local>";

    /** Which components to start, where to keep data, which ports; fluent setters. */
    public static final class Options {
        private boolean kafka = true;
        private boolean postgres = true;
        private boolean sqs = true;
        private boolean ses = true;
        private Path dataDir;
        private int kafkaPort;
        private int postgresPort;
        private int sqsPort;
        private int sesPort;
        private int partitions = 6;
        private String topicPrefix = Topics.DEFAULT_PREFIX;
        private SesSandbox.Config sesConfig = SesSandbox.Config.defaults();
        private String[] kafkaSaslUser;
        private boolean shutdownHooks = true;

        public static Options defaults() {
            return new Options();
        }

        /**
         * false: no component registers its own JVM shutdown hook (today only PostgreSQL does); the
         * caller closes the stack from its own hook, after what uses it (the local launcher).
         */
        public Options shutdownHooks(boolean on) {
            this.shutdownHooks = on;
            return this;
        }

        /** Only Kafka (e.g. topology tests); add others with the setters. */
        public static Options kafkaOnly() {
            return new Options().postgres(false).sqs(false).ses(false);
        }

        /**
         * A temporary broker whose client listener requires SASL PLAIN as {@code user}: {@link #env()}
         * then names that listener and the KAFKA_SECURITY_PROTOCOL / SASL variables of the services.
         */
        public Options kafkaSasl(String user, String password) {
            this.kafkaSaslUser = new String[] {user, password};
            return this;
        }

        public Options kafka(boolean on) {
            this.kafka = on;
            return this;
        }

        public Options postgres(boolean on) {
            this.postgres = on;
            return this;
        }

        public Options sqs(boolean on) {
            this.sqs = on;
            return this;
        }

        public Options ses(boolean on) {
            this.ses = on;
            return this;
        }

        /** Persistent data folder (kafka/ and postgres/ inside); null = temp folders deleted on close. */
        public Options dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        /** Fixed ports for the local run; 0 (default) = random. */
        public Options ports(int kafkaPort, int postgresPort, int sqsPort, int sesPort) {
            this.kafkaPort = kafkaPort;
            this.postgresPort = postgresPort;
            this.sqsPort = sqsPort;
            this.sesPort = sesPort;
            return this;
        }

        public Options kafkaPort(int port) {
            this.kafkaPort = port;
            return this;
        }

        public Options postgresPort(int port) {
            this.postgresPort = port;
            return this;
        }

        public Options sqsPort(int port) {
            this.sqsPort = port;
            return this;
        }

        public Options sesPort(int port) {
            this.sesPort = port;
            return this;
        }

        /** Partitions of each registry topic (default 6). */
        public Options partitions(int partitions) {
            this.partitions = partitions;
            return this;
        }

        /** MAILER_TOPIC_PREFIX (default "mailer."). */
        public Options topicPrefix(String prefix) {
            this.topicPrefix = prefix;
            return this;
        }

        /** Sandbox settings; the event queue and port are filled in by the stack. */
        public Options sesConfig(SesSandbox.Config config) {
            this.sesConfig = config;
            return this;
        }
    }

    private final Options options;
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private EmbeddedKafka kafka;
    private EmbeddedPostgresDb postgres;
    private EmbeddedSqs sqs;
    private SesSandbox ses;
    private String queueUrl;
    private final Topics topics;

    private DevStack(Options options) {
        this.options = options;
        this.topics = new Topics(options.topicPrefix);
        setAwsSystemPropertiesIfAbsent();
        try {
            startComponents();
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    public static DevStack start() {
        return new DevStack(Options.defaults());
    }

    public static DevStack start(Options options) {
        return new DevStack(options);
    }

    private void startComponents() {
        Path dataDir = options.dataDir;
        if (options.kafka) {
            kafka = options.kafkaSaslUser != null
                    ? EmbeddedKafka.startWithSasl(options.kafkaSaslUser[0], options.kafkaSaslUser[1])
                    : dataDir == null ? EmbeddedKafka.startTemporary(options.kafkaPort)
                    : EmbeddedKafka.start(dataDir.resolve("kafka"), options.kafkaPort);
            started.push(kafka);
            kafka.createTopics(topics, options.partitions);
        }
        if (options.postgres) {
            postgres = EmbeddedPostgresDb.start(dataDir == null ? null : dataDir.resolve("postgres"),
                    options.postgresPort, options.shutdownHooks);
            started.push(postgres);
        }
        if (options.sqs) {
            sqs = EmbeddedSqs.start(options.sqsPort);
            started.push(sqs);
            queueUrl = sqs.createQueue(QUEUE_NAME);
        }
        if (options.ses) {
            SesSandbox.Config config = options.sesConfig.port(options.sesPort);
            if (sqs != null && config.queueUrl() == null) {
                config.eventQueue(sqs.endpoint(), queueUrl);
            }
            ses = SesSandbox.start(config);
            started.push(ses);
            if (sqs != null && queueUrl.equals(config.queueUrl())) {
                // the AWS setup the sandbox stands for: topic → queue subscription and queue policy
                String queueArn = sqs.queueArn(queueUrl);
                ses.account().subscribe(config.topicArn(), new SandboxAccount.Subscription("sqs", queueArn, true, false))
                        .queue(queueUrl, queueArn, SandboxAccount.snsPolicy(queueArn, config.topicArn()));
            }
        }
        // Endpoints only: the env also holds the (dev) admin key and unsubscribe secret.
        log.info("DevStack ready: kafka={} postgres={} sqs={} ses={}",
                kafka == null ? "off" : kafka.bootstrapServers(),
                postgres == null ? "off" : postgres.jdbcUrl(),
                sqs == null ? "off" : sqs.endpoint(),
                ses == null ? "off" : ses.endpoint());
    }

    /** The SDK's default credential chain and region chain read these; dummy values suffice. */
    private static void setAwsSystemPropertiesIfAbsent() {
        if (System.getProperty("aws.accessKeyId") == null) {
            System.setProperty("aws.accessKeyId", "test");
        }
        if (System.getProperty("aws.secretAccessKey") == null) {
            System.setProperty("aws.secretAccessKey", "test");
        }
        if (System.getProperty("aws.region") == null) {
            System.setProperty("aws.region", AWS_REGION);
        }
    }

    /**
     * The environment variables a service's {@code start(env)} needs for the started components
     * (variables of components not started are left out).
     */
    public Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        if (kafka != null && options.kafkaSaslUser != null) {
            env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.saslBootstrapServers());
            env.put("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT");
            env.put("KAFKA_SASL_MECHANISM", "PLAIN");
            env.put("KAFKA_SASL_USERNAME", options.kafkaSaslUser[0]);
            env.put("KAFKA_SASL_PASSWORD", options.kafkaSaslUser[1]);
        } else if (kafka != null) {
            env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        }
        env.put("MAILER_TOPIC_PREFIX", topics.prefix());
        if (postgres != null) {
            env.put("DATABASE_URL", postgres.databaseUrl());
        }
        env.put("AWS_REGION", AWS_REGION);
        if (ses != null) {
            env.put("SES_ENDPOINT", ses.endpoint());
        }
        if (sqs != null) {
            env.put("SQS_ENDPOINT", sqs.endpoint());
            env.put("SQS_QUEUE_URL", queueUrl);
        }
        env.put("SNS_VERIFY_SIGNATURES", "false");
        env.put("MAIL_FROM", MAIL_FROM);
        env.put("MAILER_BOOTSTRAP_ADMIN_KEY", BOOTSTRAP_ADMIN_KEY);
        env.put("UNSUBSCRIBE_BASE_URL", UNSUBSCRIBE_BASE_URL);
        env.put("UNSUBSCRIBE_SECRET", UNSUBSCRIBE_SECRET);
        return Collections.unmodifiableMap(env);
    }

    /** {@link #env()} plus {@code overrides} (e.g. PORT), as a new mutable map. */
    public Map<String, String> env(Map<String, String> overrides) {
        Map<String, String> env = new LinkedHashMap<>(env());
        env.putAll(overrides);
        return env;
    }

    public EmbeddedKafka kafka() {
        return require(kafka, "kafka");
    }

    public EmbeddedPostgresDb postgres() {
        return require(postgres, "postgres");
    }

    public EmbeddedSqs sqs() {
        return require(sqs, "sqs");
    }

    public SesSandbox ses() {
        return require(ses, "ses");
    }

    /** URL of the {@value #QUEUE_NAME} queue the sandbox publishes SES events to. */
    public String queueUrl() {
        return require(queueUrl, "sqs");
    }

    public Topics topics() {
        return topics;
    }

    private static <T> T require(T component, String name) {
        if (component == null) {
            throw new IllegalStateException(name + " was not started (see DevStack.Options)");
        }
        return component;
    }

    /** Stops everything in reverse start order; one failure does not keep the rest running. */
    @Override
    public void close() {
        while (!started.isEmpty()) {
            AutoCloseable component = started.pop();
            try {
                component.close();
            } catch (Exception e) {
                log.warn("Failed to stop {}", component.getClass().getSimpleName(), e);
            }
        }
    }
}
