package io.mailer.devstack;

import io.mailer.platform.kafka.TopicDeclarer;
import io.mailer.schemas.kafka.Topics;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One combined broker+controller KRaft node in this JVM.
 *
 * <p>Runs {@link KafkaRaftServer} directly (not spring-kafka-test's broker, which always uses
 * throw-away temp folders) so the local launcher can restart on the same data: the storage is
 * formatted once, when {@code meta.properties} is missing. The controller quorum is static
 * ({@code controller.quorum.voters}, kraft.version 0), so the controller port may change between
 * runs. Internal topics use replication factor 1 and min ISR 1 — without that, transactions and
 * Kafka Streams exactly-once hang on a single broker.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final int NODE_ID = 1;

    private final Path dataDir;
    private final boolean temporary;
    private final int port;
    private final int saslPort;
    private final KafkaRaftServer server;
    private volatile boolean closed;

    private EmbeddedKafka(Path dataDir, boolean temporary, int port, int saslPort, KafkaRaftServer server) {
        this.dataDir = dataDir;
        this.temporary = temporary;
        this.port = port;
        this.saslPort = saslPort;
        this.server = server;
    }

    /**
     * A temporary broker with a second, SASL_PLAINTEXT listener ({@link #saslBootstrapServers()})
     * that accepts only {@code user}/{@code password} over SASL PLAIN — to prove that the services'
     * Kafka security settings reach every client they build.
     */
    public static EmbeddedKafka startWithSasl(String user, String password) {
        return start(Dirs.temp("mailer-kafka-"), 0, true, new SaslUser(user, password));
    }

    /** A broker on a random port with data in a temp folder deleted by {@link #close()}. */
    public static EmbeddedKafka start() {
        return start(Dirs.temp("mailer-kafka-"), 0, true);
    }

    /** A broker on {@code port} (0 = random) with data in a temp folder deleted by {@link #close()}. */
    public static EmbeddedKafka startTemporary(int port) {
        return start(Dirs.temp("mailer-kafka-"), port, true);
    }

    /** A broker on a random port keeping its data in {@code dataDir} across runs. */
    public static EmbeddedKafka start(Path dataDir) {
        return start(dataDir, 0);
    }

    /** A broker keeping its data in {@code dataDir}; {@code port} 0 = random. */
    public static EmbeddedKafka start(Path dataDir, int port) {
        return start(Dirs.ensure(dataDir), port, false);
    }

    private record SaslUser(String name, String password) {
    }

    private static EmbeddedKafka start(Path dataDir, int requestedPort, boolean temporary) {
        return start(dataDir, requestedPort, temporary, null);
    }

    private static EmbeddedKafka start(Path dataDir, int requestedPort, boolean temporary, SaslUser sasl) {
        int brokerPort = Ports.orFree(requestedPort);
        int controllerPort = Ports.orFree(0);
        int saslPort = sasl == null ? -1 : Ports.orFree(0);
        Path logDir = Dirs.ensure(dataDir.resolve("kraft-combined-logs"));
        Properties props = brokerProperties(logDir, brokerPort, controllerPort);
        if (sasl != null) {
            addSaslListener(props, brokerPort, controllerPort, saslPort, sasl);
        }
        KafkaConfig config = KafkaConfig.fromProps(props, false);
        formatOnce(logDir);
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        try {
            server.startup();
        } catch (RuntimeException e) {
            shutdownQuietly(server);
            if (temporary) {
                Dirs.deleteQuietly(dataDir);
            }
            throw e;
        }
        EmbeddedKafka kafka = new EmbeddedKafka(dataDir, temporary, brokerPort, saslPort, server);
        try {
            kafka.awaitReady(Duration.ofSeconds(60));
            kafka.createTransactionLog();
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
        log.info("Embedded Kafka ready on {} (data {})", kafka.bootstrapServers(), dataDir);
        return kafka;
    }

    static Properties brokerProperties(Path logDir, int brokerPort, int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@localhost:" + controllerPort);
        p.put("listeners", "PLAINTEXT://localhost:" + brokerPort + ",CONTROLLER://localhost:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://localhost:" + brokerPort);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        p.put("metadata.log.dir", logDir.toString());
        // A single broker: every internal topic must be satisfiable by one replica.
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        // Fewer internal partitions: faster first start, fewer files and threads.
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.num.partitions", "5");
        // Consumers and Streams join at once instead of waiting 3 s for more members.
        p.put("group.initial.rebalance.delay.ms", "0");
        // Small memory footprint: the cleaner's dedupe buffer defaults to 128 MB.
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(4 * 1024 * 1024));
        p.put("log.cleaner.threads", "1");
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "4");
        p.put("background.threads", "4");
        // The pool that loads the logs at start and flushes and closes them at shutdown: one thread
        // fsynced ~200 partitions one after the other (~3 s of the local run's stop); the threads
        // exist only during those two steps.
        p.put("num.recovery.threads.per.data.dir", "8");
        // Controlled shutdown moves partition leadership to other replicas before a broker stops;
        // this is the only broker, so it only fenced the node in the metadata log first. The logs
        // are still flushed and closed cleanly (no recovery at the next start).
        p.put("controlled.shutdown.enable", "false");
        p.put("num.replica.fetchers", "1");
        p.put("log.index.size.max.bytes", String.valueOf(1024 * 1024));
        p.put("auto.create.topics.enable", "true");
        p.put("delete.topic.enable", "true");
        return p;
    }

    private static void addSaslListener(Properties p, int brokerPort, int controllerPort, int saslPort, SaslUser user) {
        p.put("listeners", "PLAINTEXT://localhost:" + brokerPort + ",SASL_PLAINTEXT://localhost:" + saslPort
                + ",CONTROLLER://localhost:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://localhost:" + brokerPort + ",SASL_PLAINTEXT://localhost:" + saslPort);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("sasl.enabled.mechanisms", "PLAIN");
        p.put("listener.name.sasl_plaintext.plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"broker\" "
                        + "password=\"broker\" user_broker=\"broker\" user_" + user.name() + "=\""
                        + user.password().replace("\\", "\\\\").replace("\"", "\\\"") + "\";");
    }

    /** Writes meta.properties and the bootstrap snapshot once; later runs reuse the data. */
    private static void formatOnce(Path logDir) {
        if (Files.exists(logDir.resolve("meta.properties"))) {
            return;
        }
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setDirectories(List.of(logDir.toString()))
                    .setMetadataLogDirectory(logDir.toString())
                    .setControllerListenerName("CONTROLLER")
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    .setIgnoreFormatted(true)
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot format Kafka storage in " + logDir, e);
        }
    }

    /**
     * Creates {@code __transaction_state} now, with a throw-away transactional producer: otherwise
     * the first transaction of a test pays for it, and a first attempt that meets the topic while it
     * is being created can block for the producer's whole {@code max.block.ms}. A stuck attempt is
     * abandoned after 15 s and retried with a new producer.
     */
    private void createTransactionLog() {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "embedded-kafka-warm-up",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        for (int attempt = 1; ; attempt++) {
            try (var producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
                producer.initTransactions();
                return;
            } catch (TimeoutException e) {
                if (attempt == 4) {
                    throw new IllegalStateException("Embedded Kafka: no transaction coordinator after 60 s", e);
                }
                log.warn("Embedded Kafka: transaction coordinator not ready (attempt {}), retrying", attempt);
            }
        }
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = admin()) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("Embedded Kafka not ready after " + timeout, e);
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Embedded Kafka not ready after " + timeout);
                }
                sleep(100);
            }
        }
    }

    public String bootstrapServers() {
        return "localhost:" + port;
    }

    public int port() {
        return port;
    }

    /** The SASL_PLAINTEXT listener of a broker from {@link #startWithSasl}. */
    public String saslBootstrapServers() {
        if (saslPort < 0) {
            throw new IllegalStateException("this broker has no SASL listener; use startWithSasl");
        }
        return "localhost:" + saslPort;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** A new admin client; the caller closes it. */
    public Admin admin() {
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000));
    }

    /**
     * Creates every registry topic (compaction where the registry says so) with
     * {@code partitions} partitions; topics that already exist are left as they are.
     */
    public void createTopics(Topics topics, int partitions) {
        createTopics(topics.newTopics(partitions));
    }

    /**
     * Creates the given topics, ignoring those that already exist, and returns once every partition
     * of them is writable at its leader (see {@link TopicDeclarer#awaitWritable}).
     */
    public void createTopics(Collection<NewTopic> newTopics) {
        try (Admin admin = admin()) {
            admin.createTopics(newTopics).values().forEach((name, future) -> {
                try {
                    future.get(60, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("Cannot create topic " + name, e.getCause());
                    }
                } catch (Exception e) {
                    throw new IllegalStateException("Cannot create topic " + name, e);
                }
            });
            awaitLeaders(admin, newTopics.stream().map(NewTopic::name).toList());
        }
    }

    private static void awaitLeaders(Admin admin, Collection<String> topics) {
        try {
            TopicDeclarer.awaitWritable(admin, topics, 60);
        } catch (Exception e) {
            throw new IllegalStateException("Topics " + topics + " have no writable leader", e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        shutdownQuietly(server);
        if (temporary) {
            Dirs.deleteQuietly(dataDir);
        }
    }

    private static void shutdownQuietly(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            log.warn("Embedded Kafka did not shut down cleanly", e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for Kafka", e);
        }
    }
}
