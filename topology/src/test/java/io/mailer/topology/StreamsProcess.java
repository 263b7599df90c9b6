package io.mailer.topology;

import io.mailer.schemas.kafka.Topics;
import io.mailer.topology.system.StreamsConfigFactory;
import io.mailer.topology.system.TopologyProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The production topology and Streams configuration in a JVM of its own, so a test can kill it
 * (SIGKILL: no close, no commit, no leave-group — as when a pod is OOM-killed) and a benchmark can
 * measure its resident memory apart from the broker's.
 */
final class StreamsProcess implements AutoCloseable {

    private final Process process;

    private StreamsProcess(Process process) {
        this.process = process;
    }

    /** Starts {@link #main} with the test classpath; output goes to {@code log}. */
    static StreamsProcess start(String bootstrapServers, String topicPrefix, Path stateDir, Path log,
            List<String> jvmOptions) {
        return start(bootstrapServers, topicPrefix, stateDir, log, jvmOptions, "production");
    }

    /** As above, with {@code variant} "production" or "ktable" ({@link KTableVariantTopology}, benchmarks). */
    static StreamsProcess start(String bootstrapServers, String topicPrefix, Path stateDir, Path log,
            List<String> jvmOptions, String variant) {
        return new StreamsProcess(java(jvmOptions, StreamsProcess.class.getName(),
                List.of(bootstrapServers, topicPrefix, stateDir.toString(), variant), log));
    }

    /** A JVM running {@code mainClass} from the test classpath, output appended to {@code log}. */
    static Process java(List<String> jvmOptions, String mainClass, List<String> args, Path log) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(args);
        try {
            return new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGKILL: the instance dies mid-transaction. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Peak resident set size of the process so far (VmHWM), in KiB. */
    long peakRssKib() throws IOException {
        return Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status")).stream()
                .filter(l -> l.startsWith("VmHWM:"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")))
                .findFirst().orElse(-1);
    }

    /** CPU time (user + system, in clock ticks) the process has used so far: fields 14 and 15 of /proc/<pid>/stat. */
    long cpuTicks() throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(process.pid()), "stat"));
        // the command name (field 2) may hold spaces: count the fields after its closing parenthesis
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** SIGTERM: the shutdown hook closes Kafka Streams cleanly. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    /**
     * Four times a second: wall clock, chunks processed and the stream thread's CPU time, so a benchmark
     * can tell warm-up (a cold JVM compiling its hot paths) from the steady rate.
     */
    private static void printProgress(KafkaStreams streams) {
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        Thread printer = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                double processed = streams.metrics().entrySet().stream()
                        .filter(e -> e.getKey().group().equals("stream-thread-metrics")
                                && e.getKey().name().equals("process-total"))
                        .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
                long streamThreadCpuNs = java.util.Arrays.stream(threads.getThreadInfo(threads.getAllThreadIds()))
                        .filter(t -> t != null && t.getThreadName().endsWith("-StreamThread-1"))
                        .mapToLong(t -> threads.getThreadCpuTime(t.getThreadId())).sum();
                System.out.printf("PROGRESS t=%d processed=%.0f streamThreadCpuMs=%d%n", System.currentTimeMillis(),
                        processed, streamThreadCpuNs / 1_000_000);
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "progress-printer");
        printer.setDaemon(true);
        printer.start();
    }

    /** Entry point of the child JVM: bootstrap servers, topic prefix, state directory, topology variant. */
    public static void main(String[] args) throws InterruptedException {
        Properties config = StreamsConfigFactory.streamsConfig(
                new TopologyProperties(args[0], args[1], args[2], 0, Duration.ofSeconds(10), 128));
        // a killed member holds its partitions until its session expires: keep that short so the
        // restarted instance takes over in seconds, not the default 45 s
        config.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 6000);
        config.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 1000);
        Topics topics = new Topics(args[1]);
        var topology = "ktable".equals(args[3]) ? KTableVariantTopology.build(new StreamsBuilder(), topics)
                : TopologyFactory.build(new StreamsBuilder(), topics);
        KafkaStreams streams = new KafkaStreams(topology, config);
        CountDownLatch closed = new CountDownLatch(1);
        streams.setStateListener((now, before) -> System.out.println("STREAMS STATE " + before + " -> " + now));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            streams.close(Duration.ofSeconds(10));
            closed.countDown();
        }));
        streams.start();
        printProgress(streams);
        closed.await();
    }
}
