package io.mailer.topology.reputation;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.devstack.EmbeddedKafka;
import io.mailer.schemas.kafka.Topics;
import io.mailer.schemas.reputation.TenantState;
import io.mailer.topology.system.StreamsConfigFactory;
import io.mailer.topology.system.TopologyProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reputation guard's Streams application alone, with the production topology and config, on an
 * embedded broker: a backlog of delivery events (SENT, DELIVERED, some hard and soft bounces, a few
 * redelivered notifications; many tenants) is written first, then the application is started and
 * timed until its committed offsets reach the end of {@code delivery-events}. Wall-clock rates are
 * noisy on a shared machine, so the figure to compare is the CPU time of the application's threads
 * per 1,000 events; a JFR profile of those threads shows where it goes. Two scenarios: events of the
 * last minutes (a fresh window: one bucket per tenant, as in the acceptance test) and events spread
 * over the last 24 h (every tenant's window full: 96 buckets, as in production).
 *
 * <pre>
 * ./mvnw -B -ntp -o -q -pl topology -am test -Dtest=ReputationBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
 *     [-Dbench.events=40000] [-Dbench.tenants=50] [-Dbench.rate=400] [-Dbench.pacedSeconds=45]
 *     [-Dbench.streams.main.consumer.fetch.max.wait.ms=100 ...: a Streams setting tried instead of production's]
 * grep '^BENCH' topology/target/surefire-reports/io.mailer.topology.reputation.ReputationBenchmark-output.txt
 * </pre>
 */
class ReputationBenchmark {

    private static final int EVENTS = Integer.getInteger("bench.events", 40_000);
    private static final int TENANTS = Integer.getInteger("bench.tenants", 50);
    /** Like the devstack's topics. */
    private static final int PARTITIONS = 6;
    private static final Duration DAY = Duration.ofHours(24);
    private static final int PACED_RATE = Integer.getInteger("bench.rate", 400);
    private static final Duration PACED = Duration.ofSeconds(Integer.getInteger("bench.pacedSeconds", 45));

    @Test
    void guardCatchesUpWithABacklogOfDeliveryEvents(@TempDir Path dir) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            StringBuilder table = new StringBuilder("""

                    BENCH | scenario | events | counted sends | backlog records/s (wall) | CPU ms per 1,000 events (app threads) | load before | paced phase |
                    BENCH |---|---|---|---|---|---|---|---|
                    """);
            for (Duration span : List.of(Duration.ofMinutes(2), DAY)) {
                String name = span.equals(DAY) ? "24h" : "fresh";
                Run run = run(kafka, name, span, dir.resolve(name));
                table.append(String.format("BENCH | %s | %d | %d | %.0f | %.1f | %s | %s |%n", name, EVENTS, run.sends(),
                        run.recordsPerSecond(), run.cpuMsPer1000(), run.load(), run.paced()));
            }
            System.out.println(table);
        }
    }

    private record Run(long sends, double recordsPerSecond, double cpuMsPer1000, String load, String paced) {
    }

    private Run run(EmbeddedKafka kafka, String name, Duration span, Path dir) throws Exception {
        Topics topics = new Topics("rbench-" + name + ".");
        kafka.createTopics(topics, PARTITIONS);
        long sends = produce(kafka, topics, span);
        String load = Files.readString(Path.of("/proc/loadavg")).substring(0, 14);

        Properties config = StreamsConfigFactory.reputationConfig(new TopologyProperties(kafka.bootstrapServers(),
                topics.prefix(), dir.toString(), 0, Duration.ofSeconds(10), 128), new SimpleMeterRegistry());
        // -Dbench.streams.<key>=<value>: a Streams setting tried against the production one (same run conditions)
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("bench.streams."))
                .forEach(k -> config.put(k.substring("bench.streams.".length()), System.getProperty(k)));
        String appId = topics.prefix() + "reputation";
        ThreadCpu cpu = new ThreadCpu(appId);
        Path jfr = Path.of("target", "bench", "reputation-" + name + ".jfr");
        Files.createDirectories(jfr.getParent());
        try (KafkaStreams streams = new KafkaStreams(ReputationTopology.build(new StreamsBuilder(), topics,
                ReputationSettings.DEFAULTS), config);
                Admin admin = kafka.admin();
                StreamsProfile profile = StreamsProfile.start(jfr)) {
            streams.start();
            long started = System.nanoTime();
            long firstCommitAt = 0;
            long firstCommitted = 0;
            long committed = 0;
            while (committed < EVENTS) {
                Thread.sleep(200);
                committed = committed(admin, appId, topics.deliveryEvents.name());
                if (firstCommitAt == 0 && committed > 0) {
                    firstCommitAt = System.nanoTime();
                    firstCommitted = committed;
                    cpu.mark();
                }
                if (System.nanoTime() - started > Duration.ofMinutes(10).toNanos()) {
                    throw new AssertionError("not caught up after 10 minutes: " + committed + " of " + EVENTS);
                }
            }
            double seconds = (System.nanoTime() - firstCommitAt) / 1e9;
            double cpuMs = cpu.sinceMarkMillis();
            long measured = EVENTS - firstCommitted;
            System.out.printf("BENCH %s: %d events committed in %.1f s after the first commit (%d events), "
                    + "app threads CPU %.0f ms; total since start %.1f s%n", name, measured, seconds, firstCommitted,
                    cpuMs, (System.nanoTime() - started) / 1e9);
            StreamsProfile.printMetrics(streams, name);
            profile.stopAndPrint(appId, name);
            String paced = "-";
            if (!span.equals(DAY)) {
                // nothing arriving: the cost of the loop itself (polls, punctuators, commits)
                cpu.mark();
                Thread.sleep(10_000);
                System.out.printf("BENCH %s idle: %.1f ms CPU per second of the application's threads%n", name,
                        cpu.sinceMarkMillis() / 10);
                try (StreamsProfile pacedProfile = StreamsProfile.start(jfr.resolveSibling("reputation-paced.jfr"))) {
                    paced = paced(kafka, topics, admin, appId, EVENTS, cpu);
                    StreamsProfile.printMetrics(streams, "paced");
                    pacedProfile.stopAndPrint(appId, "paced");
                }
            }
            System.out.printf("BENCH %s paced: %s%n", name, paced);
            Map<String, TenantState> states = awaitStates(kafka, topics, sends + (span.equals(DAY) ? 0 : PACED_RATE * PACED.toSeconds() * 4 / 10));
            assertThat(states).hasSize(TENANTS);
            return new Run(states.values().stream().mapToLong(s -> s.window().sends()).sum(), measured / seconds,
                    cpuMs * 1000 / measured, load, paced);
        }
    }

    /**
     * The backlog: {@link #EVENTS} events with Kafka timestamps spread evenly over {@code span} up to
     * now (see {@link EventMix}). Returns the sends written.
     */
    private static long produce(EmbeddedKafka kafka, Topics topics, Duration span) {
        EventMix mix = new EventMix(topics, TENANTS, 0);
        long from = System.currentTimeMillis() - span.toMillis();
        try (KafkaProducer<String, byte[]> producer = producer(kafka)) {
            for (int written = 0; written < EVENTS; written++) {
                producer.send(mix.next(from + span.toMillis() * written / EVENTS));
            }
            producer.flush();
        }
        return mix.sends();
    }

    /**
     * Events arriving at {@link #PACED_RATE}/s for {@link #PACED} while the application runs (as in
     * the acceptance test, where 200–400/s arrived): the committed offsets sampled every second.
     * Returns the events consumed per second over the phase and the lag left at its end.
     */
    private static String paced(EmbeddedKafka kafka, Topics topics, Admin admin, String appId, long before,
            ThreadCpu cpu) throws Exception {
        EventMix mix = new EventMix(topics, TENANTS, 1_000_000);
        long phaseStart = System.nanoTime();
        cpu.mark();
        long written = 0;
        long maxLag = 0;
        long nextSample = phaseStart;
        try (KafkaProducer<String, byte[]> producer = producer(kafka)) {
            while (System.nanoTime() - phaseStart < PACED.toNanos()) {
                long due = (System.nanoTime() - phaseStart) * PACED_RATE / 1_000_000_000L;
                for (; written < due; written++) {
                    producer.send(mix.next(System.currentTimeMillis()));
                }
                producer.flush();
                if (System.nanoTime() >= nextSample) {
                    nextSample += 1_000_000_000L;
                    maxLag = Math.max(maxLag, before + written - committed(admin, appId, topics.deliveryEvents.name()));
                }
                Thread.sleep(20);
            }
        }
        long consumed = committed(admin, appId, topics.deliveryEvents.name()) - before;
        double seconds = (System.nanoTime() - phaseStart) / 1e9;
        return String.format("%.0f/s offered, %.0f/s consumed, lag at end %d, max lag sampled %d, CPU %.1f ms per 1,000",
                written / seconds, consumed / seconds, written - consumed, maxLag,
                cpu.sinceMarkMillis() * 1000 / Math.max(1, consumed));
    }

    private static KafkaProducer<String, byte[]> producer(EmbeddedKafka kafka) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), (t, v) -> (byte[]) v);
    }

    private static long committed(Admin admin, String group, String topic) throws Exception {
        return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().entrySet().stream()
                .filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
                .mapToLong(e -> e.getValue().offset()).sum();
    }

    /** The latest state of every tenant, once the guard has published them all (read_committed). */
    private static Map<String, TenantState> awaitStates(EmbeddedKafka kafka, Topics topics, long sends) throws Exception {
        var deserializer = topics.tenantStates.valueSerde().deserializer();
        Map<String, TenantState> latest = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(),
                (t, v) -> v)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topics.tenantStates.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(r ->
                        latest.put(r.key(), deserializer.deserialize(r.topic(), r.value())));
                long counted = latest.values().stream().mapToLong(s -> s.window().sends()).sum();
                if (latest.size() == TENANTS && counted >= sends) {
                    break;
                }
            }
        }
        return latest;
    }

    /** CPU time of the threads whose name holds the application id (stream thread, its producer's network thread). */
    private static final class ThreadCpu {
        private final String appId;
        private final Map<Long, Long> atMark = new HashMap<>();

        ThreadCpu(String appId) {
            this.appId = appId;
        }

        void mark() {
            atMark.clear();
            atMark.putAll(now());
        }

        double sinceMarkMillis() {
            long ns = 0;
            for (var e : now().entrySet()) {
                ns += e.getValue() - atMark.getOrDefault(e.getKey(), 0L);
            }
            return ns / 1e6;
        }

        private Map<Long, Long> now() {
            var threads = ManagementFactory.getThreadMXBean();
            Map<Long, Long> cpu = new HashMap<>();
            for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
                if (info != null && info.getThreadName().contains(appId)) {
                    cpu.put(info.getThreadId(), threads.getThreadCpuTime(info.getThreadId()));
                }
            }
            return cpu;
        }
    }
}
