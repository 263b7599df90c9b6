package io.mailer.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailer.devstack.EmbeddedKafka;
import io.mailer.schemas.commands.BatchCommand;
import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.commands.RecipientEntry;
import io.mailer.schemas.events.Ids;
import io.mailer.schemas.events.SendRequest;
import io.mailer.schemas.events.Suppression;
import io.mailer.schemas.kafka.Topics;
import io.mailer.topology.runtime.StreamsConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fan-out of a 1,000,000-recipient batch against a 100,000-entry suppression table, on one local
 * (embedded) broker, compared with {@code ProducerPerformance} writing records of the same size to
 * the same broker in the same run. Not part of the default build:
 * {@code mvn -pl topology -Pbench verify} (see README). Prints a Markdown table for docs/benchmarks.md.
 */
class TopologyBenchmark {

    private static final int RECIPIENTS = 1_000_000;
    private static final int CHUNK = 1_000;
    private static final int SUPPRESSIONS = 100_000;
    private static final String TENANT = "acme";
    private static final String BATCH = "bench-batch";
    private static final MessageContent MESSAGE = new MessageContent("news@mailer.example", null,
            "November news for {{name}}", "<html><body><h1>Hello {{name}}</h1><p>Our November news.</p></body></html>",
            "Hello {{name}}, our November news.", Map.of(), Map.of("campaign", "nov"), null, false);
    /** The Streams JVM: heap capped so that heap + metaspace + RocksDB + threads stay under 512 MB RSS. */
    private static final List<String> STREAMS_JVM = List.of("-Xmx256m", "-XX:+UseSerialGC");
    /** Kafka Streams' own producer default (StreamsConfig), which the topology keeps. */
    private static final int STREAMS_LINGER_MS = 100;
    private static final Pattern TOTAL = Pattern.compile("(\\d+) records sent, ([\\d.]+) records/sec.*50th");
    /** {@code -Dbench.ktable=false} skips the KTable variant (quicker iterations while profiling). */
    private static final boolean KTABLE = Boolean.parseBoolean(System.getProperty("bench.ktable", "true"));
    /** {@code -Dbench.jfr=/tmp/topology.jfr} records a JFR profile of the production Streams JVM. */
    private static final String JFR = System.getProperty("bench.jfr", "");
    /** Clock ticks per second of /proc/<pid>/stat utime and stime (USER_HZ, 100 on Linux). */
    private static final double CLOCK_TICKS = 100.0;

    private final Topics topics = new Topics("bench.");

    /** One fan-out: throughput, peak RSS and CPU seconds (user + system) of the Streams JVM while timed. */
    private record Run(double recipientsPerSecond, long peakRssKib, long outputs, double cpuSeconds) {

        static final Run SKIPPED = new Run(Double.NaN, -1, RECIPIENTS, Double.NaN);

        double cpuSecondsPer100k() {
            return cpuSeconds * 100_000 / RECIPIENTS;
        }
    }

    @Test
    void fanOutOfAMillionRecipientsAgainstProducerPerformance(@TempDir Path dir) throws Exception {
        Path logs = Files.createDirectories(Path.of("target", "bench"));
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(List.of(new NewTopic("bench.baseline", 6, (short) 1)));
            int recordSize = averageSendSize();

            String loadBefore = loadAverage();
            double baselineBefore = producerPerformance(kafka, recordSize, logs.resolve("baseline-1.log"));
            Run global = fanOut(kafka, new Topics("bench-global."), "production", dir, logs);
            Run ktable = KTABLE ? fanOut(kafka, new Topics("bench-ktable."), "ktable", dir, logs) : Run.SKIPPED;
            double baselineAfter = producerPerformance(kafka, recordSize, logs.resolve("baseline-2.log"));
            // for reference only: the raw producer batching like the topology's producer (not the target's baseline)
            double baselineBatched = producerPerformance(kafka, recordSize, logs.resolve("baseline-batched.log"),
                    "batch.size=" + StreamsConfigFactory.PRODUCER_BATCH_SIZE, "linger.ms=" + STREAMS_LINGER_MS);
            String loadAfter = loadAverage();

            double baseline = (baselineBefore + baselineAfter) / 2;
            System.out.printf("""

                    ## Topology benchmark (record size %d B, %d recipients, %d suppressions)
                    | measure | value |
                    |---|---|
                    | ProducerPerformance before (records/s, acks=all) | %.0f |
                    | ProducerPerformance after (records/s, acks=all) | %.0f |
                    | (reference) ProducerPerformance with the topology's batching (batch.size=%d, linger.ms=%d) | %.0f |
                    | production topology, GlobalKTable (recipients/s, exactly_once_v2) | %.0f |
                    | ratio production / mean baseline | %.0f %% |
                    | (reference) ratio production / ProducerPerformance with the topology's batching | %.0f %% |
                    | Streams JVM CPU, production (user+system s per 100k recipients) | %.2f |
                    | Streams JVM peak RSS, production (VmHWM, %s) | %d MB |
                    | KTable variant, repartition by address (recipients/s) | %.0f |
                    | ratio KTable / mean baseline | %.0f %% |
                    | Streams JVM CPU, KTable variant (s per 100k recipients) | %.2f |
                    | Streams JVM peak RSS, KTable variant | %d MB |
                    | distinct committed outputs production / KTable | %d / %d |
                    | load average (1/5/15 min) before / after | %s / %s |
                    %n""", recordSize, RECIPIENTS, SUPPRESSIONS, baselineBefore, baselineAfter,
                    StreamsConfigFactory.PRODUCER_BATCH_SIZE, STREAMS_LINGER_MS, baselineBatched,
                    global.recipientsPerSecond(), 100 * global.recipientsPerSecond() / baseline,
                    100 * global.recipientsPerSecond() / baselineBatched,
                    global.cpuSecondsPer100k(), String.join(" ", STREAMS_JVM), global.peakRssKib() / 1024,
                    ktable.recipientsPerSecond(), 100 * ktable.recipientsPerSecond() / baseline,
                    ktable.cpuSecondsPer100k(), ktable.peakRssKib() / 1024, global.outputs(), ktable.outputs(),
                    loadBefore, loadAfter);
            assertThat(global.outputs()).isEqualTo(RECIPIENTS);
            assertThat(ktable.outputs()).isEqualTo(RECIPIENTS);
        }
    }

    /** Writes the suppressions and the whole batch, then times one Streams JVM fanning it out. */
    private Run fanOut(EmbeddedKafka kafka, Topics topics, String variant, Path dir, Path logs) throws Exception {
        kafka.createTopics(topics, 6);
        try (var producer = BrokerClients.producer(kafka.bootstrapServers())) {
            // every tenth recipient of the batch is suppressed: 100,000 entries, 10 % hit rate
            for (int i = 0; i < SUPPRESSIONS; i++) {
                Suppression s = new Suppression(TENANT, address(i * 10), Suppression.Reason.BOUNCE, "evt-" + i,
                        Instant.now());
                producer.send(new ProducerRecord<>(topics.suppressions.name(), s.key(),
                        topics.suppressions.valueSerde().serializer().serialize(null, s)));
            }
            for (int first = 0; first < RECIPIENTS; first += CHUNK) {
                producer.send(new ProducerRecord<>(topics.batchCommands.name(), BATCH,
                        topics.batchCommands.valueSerde().serializer().serialize(null, chunk(first))));
            }
            producer.flush();
        }
        Path streamsLog = logs.resolve("streams-" + variant + ".log");
        Files.deleteIfExists(streamsLog);
        try (Admin admin = kafka.admin();
                StreamsProcess streams = StreamsProcess.start(kafka.bootstrapServers(), topics.prefix(),
                        dir.resolve("state-" + variant), streamsLog, jvmOptions(variant), variant)) {
            // the clock starts when the instance is RUNNING: the suppressions table is loaded
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(50))
                    .until(() -> Files.readString(streamsLog).contains("-> RUNNING"));
            long start = System.nanoTime();
            long cpuAtStart = streams.cpuTicks();
            // and stops when the offset of the last chunk is committed, in the transaction of its outputs
            // (for the KTable variant: when the repartitioned recipients are committed too)
            await().atMost(Duration.ofMinutes(15)).pollInterval(Duration.ofMillis(100))
                    .until(() -> allInputsCommitted(admin, topics));
            double seconds = (System.nanoTime() - start) / 1e9;
            double cpuSeconds = (streams.cpuTicks() - cpuAtStart) / CLOCK_TICKS;
            long rss = streams.peakRssKib();
            return new Run(RECIPIENTS / seconds, rss, countDistinctCommittedOutputs(kafka, topics), cpuSeconds);
        }
    }

    private static List<String> jvmOptions(String variant) {
        if (JFR.isBlank() || !"production".equals(variant)) {
            return STREAMS_JVM;
        }
        return java.util.stream.Stream.concat(STREAMS_JVM.stream(),
                java.util.stream.Stream.of("-XX:StartFlightRecording=settings=profile,filename=" + JFR)).toList();
    }

    /** The load average of the machine (other builds share its cores): printed beside the figures. */
    private static String loadAverage() throws java.io.IOException {
        String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return fields[0] + " " + fields[1] + " " + fields[2];
    }

    /** The size of a send request on {@code sends}: the record size the baseline writes. */
    private int averageSendSize() {
        return (int) IntStream.range(0, 1000).mapToObj(i -> {
            RecipientEntry r = recipient(i);
            return new SendRequest(Ids.sendId(BATCH, i), BATCH, TENANT, i, r.email(), r.variables(), r.metadata(),
                    MESSAGE, Instant.now());
        }).mapToInt(s -> topics.sends.valueSerde().serializer().serialize(null, s).length).average().orElseThrow();
    }

    /** Raw producer throughput: default producer settings (Kafka 4.1: batch.size 16 KiB, linger.ms 5) plus {@code props}. */
    private static double producerPerformance(EmbeddedKafka kafka, int recordSize, Path log, String... props)
            throws Exception {
        Files.deleteIfExists(log);
        List<String> args = new java.util.ArrayList<>(List.of("--topic", "bench.baseline",
                "--num-records", String.valueOf(RECIPIENTS), "--record-size", String.valueOf(recordSize),
                "--throughput", "-1", "--producer-props", "bootstrap.servers=" + kafka.bootstrapServers(), "acks=all"));
        args.addAll(List.of(props));
        Process p = StreamsProcess.java(List.of("-Xmx256m"), "org.apache.kafka.tools.ProducerPerformance", args, log);
        assertThat(p.waitFor()).isZero();
        Matcher m = TOTAL.matcher(Files.readString(log));
        assertThat(m.find()).as("ProducerPerformance total line in %s", log).isTrue();
        return Double.parseDouble(m.group(2));
    }

    /** True when the group's committed offset has reached the end of every input partition it reads. */
    private static boolean allInputsCommitted(Admin admin, Topics topics) throws Exception {
        String group = topics.prefix() + "topology";
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get();
        List<String> inputs = List.of(topics.batchCommands.name(), group + "-sends-by-address-repartition");
        List<TopicPartition> partitions = inputs.stream().flatMap(t -> IntStream.range(0, 6)
                .mapToObj(p -> new TopicPartition(t, p))).toList();
        // the repartition topic exists only in the KTable variant
        var known = admin.listTopics().names().get();
        var present = partitions.stream().filter(tp -> known.contains(tp.topic())).toList();
        var ends = admin.listOffsets(present.stream()
                .collect(java.util.stream.Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()))).all().get();
        return !committed.isEmpty() && present.stream().allMatch(tp -> ends.get(tp).offset() == 0
                || (committed.get(tp) != null && committed.get(tp).offset() >= ends.get(tp).offset()));
    }

    private static long countDistinctCommittedOutputs(EmbeddedKafka kafka, Topics topics) {
        Set<String> keys = new HashSet<>();
        try (KafkaConsumer<String, byte[]> consumer =
                     BrokerClients.readCommittedConsumer(kafka.bootstrapServers(), topics.prefix() + "counter")) {
            consumer.subscribe(List.of(topics.sends.name(), topics.deliveryEvents.name()));
            await().atMost(Duration.ofMinutes(5)).until(() -> {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> keys.add(r.key()));
                return keys.size() >= RECIPIENTS;
            });
        }
        return keys.size();
    }

    private static String address(int index) {
        return "user" + index + "@example.com";
    }

    private static RecipientEntry recipient(int i) {
        return new RecipientEntry(address(i), Map.of("name", "User " + i), Map.of("crm", "c-" + i));
    }

    private static BatchCommand chunk(int first) {
        List<RecipientEntry> recipients = IntStream.range(first, first + CHUNK).mapToObj(TopologyBenchmark::recipient)
                .toList();
        return BatchCommand.submitChunk(BATCH, TENANT, first / CHUNK, RECIPIENTS / CHUNK, first, RECIPIENTS, MESSAGE,
                recipients, Instant.now());
    }
}
