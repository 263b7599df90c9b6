package io.mailer.topology.reputation;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;
import org.apache.kafka.streams.KafkaStreams;

/**
 * A JFR recording of the benchmark JVM (broker included), read back for the Streams application's
 * threads only: where their CPU samples are (by top frame and by any frame on the stack) and where
 * their stream thread waits (parks, by the calling Kafka frame). For {@link ReputationBenchmark}.
 */
final class StreamsProfile implements AutoCloseable {

    private static final int TOP = 25;
    private final Recording recording;
    private final Path file;

    private StreamsProfile(Recording recording, Path file) {
        this.recording = recording;
        this.file = file;
    }

    static StreamsProfile start(Path file) throws Exception {
        Recording recording = new Recording(Configuration.getConfiguration("profile"));
        recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
        recording.enable("jdk.ThreadPark").withThreshold(Duration.ofMillis(1)).withStackTrace();
        recording.start();
        return new StreamsProfile(recording, file);
    }

    void stopAndPrint(String appId, String label) throws Exception {
        recording.stop();
        recording.dump(file);
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> inclusive = new HashMap<>();
        Map<String, Long> parkedNs = new HashMap<>();
        int samples = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            String type = e.getEventType().getName();
            var thread = type.equals("jdk.ExecutionSample") ? e.getThread("sampledThread") : e.getThread();
            if (thread == null || thread.getJavaName() == null || !thread.getJavaName().contains(appId)
                    || e.getStackTrace() == null) {
                continue;
            }
            List<RecordedFrame> frames = e.getStackTrace().getFrames();
            if (type.equals("jdk.ExecutionSample") && !frames.isEmpty()) {
                samples++;
                self.merge(name(frames.get(0)), 1, Integer::sum);
                Set<String> seen = new HashSet<>();
                frames.forEach(f -> seen.add(name(f)));
                seen.forEach(m -> inclusive.merge(m, 1, Integer::sum));
            } else if (type.equals("jdk.ThreadPark")) {
                String caller = frames.stream().map(StreamsProfile::name)
                        .filter(n -> n.startsWith("org.apache.kafka") && !n.contains("KafkaFutureImpl"))
                        .limit(3).reduce((a, b) -> a + " < " + b).orElse("?");
                parkedNs.merge(thread.getJavaName().replaceAll(".*-", "") + ": " + caller, e.getDuration().toNanos(), Long::sum);
            }
        }
        System.out.printf("PROFILE %s: %d CPU samples of the application's threads (10 ms period)%n", label, samples);
        print("PROFILE " + label + " self", self, n -> n + " samples");
        print("PROFILE " + label + " on stack", inclusive, n -> n + " samples");
        print("PROFILE " + label + " parked", parkedNs, n -> (n / 1_000_000) + " ms");
    }

    private static <N extends Number> void print(String title, Map<String, N> counts, Function<N, String> unit) {
        counts.entrySet().stream()
                .sorted((a, b) -> Double.compare(b.getValue().doubleValue(), a.getValue().doubleValue()))
                .limit(TOP)
                .forEach(e -> System.out.printf("%s | %s | %s%n", title, unit.apply(e.getValue()), e.getKey()));
    }

    private static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    /** The stream thread's loop figures: how many records a poll and a loop handle, and what commits cost. */
    static void printMetrics(KafkaStreams streams, String label) {
        Set<String> wanted = Set.of("poll-records-avg", "process-records-avg", "process-rate", "commit-latency-avg",
                "commit-rate", "poll-latency-avg", "punctuate-latency-avg", "blocked-time-ns-total",
                "txn-commit-time-ns-total", "flush-time-ns-total", "txn-begin-time-ns-total",
                "txn-send-offsets-time-ns-total", "thread-start-time", "process-ratio", "poll-ratio", "commit-ratio",
                "punctuate-ratio", "records-per-request-avg", "request-latency-avg", "record-queue-time-avg");
        streams.metrics().forEach((k, v) -> {
            if (wanted.contains(k.name()) && !k.group().contains("node") && !k.group().contains("topic")) {
                System.out.printf("METRIC %s | %s | %s | %s%n", label, k.group(), k.name(), v.metricValue());
            }
        });
    }

    @Override
    public void close() {
        recording.close();
    }
}
