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
import io.mailer.topology.system.StreamsConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
    /** {@code -Dbench.ktable=true} also measures the KTable variant (the GlobalKTable decision; ~2 min more). */
    private static final boolean KTABLE = Boolean.getBoolean("bench.ktable");
    /**
     * Fan-outs of the production topology, each in a fresh JVM on fresh topics, with a
     * ProducerPerformance run before and after each: one run on a shared 2-core machine varies by
     * ±20 %, so the median ratio is the figure ({@code -Dbench.rounds}).
     */
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
    /** {@code -Dbench.jfr=/tmp/topology.jfr} records a JFR profile of the first production Streams JVM. */
    private static final String JFR = System.getProperty("bench.jfr", "");
    /** Clock ticks per second of /proc/<pid>/stat utime and stime (USER_HZ, 100 on Linux). */
    private static final double CLOCK_TICKS = 100.0;

    private final Topics topics = new Topics("bench.");

    /** One fan-out: throughput, peak RSS and CPU seconds (user + system) of the Streams JVM while timed. */
    private record Run(double recipientsPerSecond, long peakRssKib, long outputs, double cpuSeconds,
            StreamsProgress progress) {

        static final Run SKIPPED = new Run(Double.NaN, -1, RECIPIENTS, Double.NaN, StreamsProgress.NONE);

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
            // the broker runs in this JVM: its first million records are written by cold code. That
            // run is discarded, so neither the baseline nor the topology pays for the broker's warm-up
            double brokerWarmUp = producerPerformance(kafka, recordSize, logs.resolve("baseline-0-warm-up.log"));
            List<Double> baselines = new ArrayList<>();
            List<Run> runs = new ArrayList<>();
            baselines.add(producerPerformance(kafka, recordSize, logs.resolve("baseline-1.log")));
            for (int round = 1; round <= ROUNDS; round++) {
                runs.add(fanOut(kafka, new Topics("bench-global-" + round + "."), "production-" + round, dir, logs));
                baselines.add(producerPerformance(kafka, recordSize, logs.resolve("baseline-" + (round + 1) + ".log")));
            }
            Run ktable = KTABLE ? fanOut(kafka, new Topics("bench-ktable."), "ktable", dir, logs) : Run.SKIPPED;
            // for reference only: the raw producer batching like the topology's producer (not the target's baseline)
            double baselineBatched = producerPerformance(kafka, recordSize, logs.resolve("baseline-batched.log"),
                    "batch.size=" + StreamsConfigFactory.PRODUCER_BATCH_SIZE, "linger.ms=" + STREAMS_LINGER_MS);
            String loadAfter = loadAverage();

            StringBuilder table = new StringBuilder(String.format("""

                    ## Topology benchmark (record size %d B, %d recipients, %d suppressions, %d rounds)
                    ProducerPerformance broker warm-up run (discarded): %.0f records/s
                    | round | ProducerPerformance before / after (records/s, acks=all) | topology (recipients/s, exactly_once_v2) | ratio to the mean of before and after | after the first 10 %% of chunks (recipients/s) | first 10 %% of chunks took | Streams CPU per 100k | peak RSS |
                    |---|---|---|---|---|---|---|---|
                    """, recordSize, RECIPIENTS, SUPPRESSIONS, ROUNDS, brokerWarmUp));
            List<Double> ratios = new ArrayList<>();
            for (int i = 0; i < runs.size(); i++) {
                Run run = runs.get(i);
                double baseline = (baselines.get(i) + baselines.get(i + 1)) / 2;
                ratios.add(run.recipientsPerSecond() / baseline);
                table.append(String.format("| %d | %.0f / %.0f | %.0f | %.0f %% | %.0f | %.1f s | %.2f s | %d MB |%n",
                        i + 1, baselines.get(i), baselines.get(i + 1), run.recipientsPerSecond(),
                        100 * run.recipientsPerSecond() / baseline, run.progress().steadyRecipientsPerSecond(),
                        run.progress().warmUpSeconds(), run.cpuSecondsPer100k(), run.peakRssKib() / 1024));
            }
            List<Double> sorted = ratios.stream().sorted().toList();
            double meanBaseline = baselines.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            table.append(String.format("""

                    | measure | value |
                    |---|---|
                    | ratio topology / ProducerPerformance, median of %d rounds (min – max) | **%.0f %%** (%.0f – %.0f %%) |
                    | (reference) ProducerPerformance with the topology's batching (batch.size=%d, linger.ms=%d) | %.0f (topology median / it: %.0f %%) |
                    | Streams JVM | %s |
                    | KTable variant, repartition by address (recipients/s; ratio to the mean baseline) | %.0f (%.0f %%) |
                    | Streams JVM CPU and peak RSS, KTable variant | %.2f s per 100k, %d MB |
                    | load average (1/5/15 min) before / after | %s / %s |
                    """, ROUNDS, 100 * median(sorted), 100 * sorted.get(0), 100 * sorted.get(sorted.size() - 1),
                    StreamsConfigFactory.PRODUCER_BATCH_SIZE, STREAMS_LINGER_MS, baselineBatched,
                    100 * median(runs.stream().map(Run::recipientsPerSecond).sorted().toList()) / baselineBatched,
                    String.join(" ", STREAMS_JVM), ktable.recipientsPerSecond(),
                    100 * ktable.recipientsPerSecond() / meanBaseline, ktable.cpuSecondsPer100k(),
                    ktable.peakRssKib() / 1024, loadBefore, loadAfter));
            System.out.println(table);
            runs.forEach(run -> assertThat(run.outputs()).isEqualTo(RECIPIENTS));
            assertThat(ktable.outputs()).isEqualTo(RECIPIENTS);
        }
    }

    private static double median(List<Double> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
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
                        dir.resolve("state-" + variant), streamsLog, jvmOptions(variant),
                        variant.startsWith("production") ? "production" : variant)) {
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
            return new Run(RECIPIENTS / seconds, rss, countDistinctCommittedOutputs(kafka, topics), cpuSeconds,
                    StreamsProgress.of(streamsLog, RECIPIENTS / CHUNK, CHUNK));
        }
    }

    private static List<String> jvmOptions(String variant) {
        if (JFR.isBlank() || !"production-1".equals(variant)) {
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
