package io.mailer.ingress.bench;

import io.mailer.devstack.EmbeddedKafka;
import io.mailer.devstack.EmbeddedPostgresDb;
import io.mailer.ingress.IngressApplication;
import io.mailer.schemas.kafka.Topics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.tools.ProducerPerformance;

/**
 * Ingress benchmark (not part of {@code mvn verify}; command in the README): one local broker,
 * the ingress service in its own JVM (so its RSS is its own), and Kafka's ProducerPerformance on
 * the same broker in the same run as the baseline.
 *
 * <ol>
 *   <li>one NDJSON batch of 1,000,000 recipients, streamed: recipients/s and the ingress peak RSS
 *       (VmHWM), beside ProducerPerformance writing 1,000,000 records of a recipient line's size;</li>
 *   <li>JSON batches of 1,000 recipients at 50 requests/s: latency p50/p99, beside
 *       ProducerPerformance writing records of a batch's size at 50 records/s.</li>
 * </ol>
 */
public final class IngressBenchmark {

    static final String KEY = "mk_bench_bootstrap_admin_key_0123456789abcdef";
    static final int NDJSON_RECIPIENTS = Integer.getInteger("bench.recipients", 1_000_000);
    static final int JSON_REQUESTS = Integer.getInteger("bench.requests", 1000);
    /** The JVM flags the README recommends for the service (the bench passes -Xmx separately). */
    static final String DEFAULT_JVM_ARGS = "-XX:+UseSerialGC";

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("ingress-bench");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka")); EmbeddedPostgresDb pg = EmbeddedPostgresDb.start()) {
            Topics topics = new Topics("bench.");
            kafka.createTopics(topics, 6);
            int port = freePort();
            Process ingress = startIngress(kafka, pg, port, dir);
            Process trivial = null;
            try {
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                awaitReady(http, port);
                String recipientLine = "{\"email\":\"user0000000@example.com\",\"variables\":{\"name\":\"User 0000000\"}}";
                List<String> report = new ArrayList<>();
                report.add(String.format("%nINGRESS BENCHMARK (%d cores), ingress JVM %s", Runtime.getRuntime().availableProcessors(),
                        ingressJvmArgs()));

                // warm-up: JIT and connection pools, then the measured runs
                postNdjson(http, port, 50_000);
                if (Boolean.parseBoolean(System.getProperty("bench.ndjson", "true"))) {
                    String load = loadAverage();
                    String rawNdjson = producerPerformance(kafka, "bench.raw-ndjson", NDJSON_RECIPIENTS, recipientLine.length() + 1, -1);
                    double rawPerSecond = number(rawNdjson, "([0-9.]+) records/sec");
                    long cpuBefore = cpuMillis(ingress.pid());
                    long start = System.nanoTime();
                    int status = postNdjson(http, port, NDJSON_RECIPIENTS);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    long cpu = cpuMillis(ingress.pid()) - cpuBefore;
                    long rssKb = peakRssKb(ingress.pid());
                    double perSecond = NDJSON_RECIPIENTS / seconds;
                    report.add(String.format("NDJSON %,d recipients: HTTP %d in %.2f s = %,.0f recipients/s; ingress peak RSS %d MB;"
                                    + " ingress CPU %.1f s (%.1f us/recipient) [load %s -> %s]",
                            NDJSON_RECIPIENTS, status, seconds, perSecond, rssKb / 1024, cpu / 1e3, cpu * 1e3 / NDJSON_RECIPIENTS,
                            load, loadAverage()));
                    report.add(String.format("  raw Kafka ProducerPerformance, %,d records of %d B: %,.0f records/s -> ingress/raw = %.2f",
                            NDJSON_RECIPIENTS, recipientLine.length() + 1, rawPerSecond, perSecond / rawPerSecond));
                    report.add("  raw NDJSON baseline: " + rawNdjson.trim());
                }

                String jsonBody = jsonBatch(1000);
                URI batches = URI.create("http://localhost:" + port + "/api/v1/batches");
                int warmUp = Integer.getInteger("bench.jsonWarmup", 200);
                jsonAt50PerSecond(http, batches, jsonBody, warmUp); // JIT of the JSON path, producers; not measured
                String load = loadAverage();
                String rawJson = producerPerformance(kafka, "bench.raw-json", JSON_REQUESTS, jsonBody.length(), 50);
                double rawP99 = number(rawJson, "([0-9.]+) ms 99th");
                long cpuBefore = cpuMillis(ingress.pid());
                int gcBefore = gcPauses(dir).size();
                List<Long> latencies = jsonAt50PerSecond(http, batches, jsonBody, JSON_REQUESTS);
                long cpu = cpuMillis(ingress.pid()) - cpuBefore;
                List<Double> pauses = gcPauses(dir);
                pauses = pauses.subList(Math.min(gcBefore, pauses.size()), pauses.size());
                report.add(String.format("JSON 1,000-recipient batches (%d B) at 50 req/s, %d requests after %d warm-up: %s [load %s -> %s]",
                        jsonBody.length(), JSON_REQUESTS, warmUp, percentiles(latencies), load, loadAverage()));
                report.add(String.format("  ingress CPU %.2f ms/request; GC pauses during the phase: %d, max %.1f ms, total %.0f ms",
                        cpu / (double) JSON_REQUESTS, pauses.size(), pauses.stream().mapToDouble(d -> d).max().orElse(0),
                        pauses.stream().mapToDouble(d -> d).sum()));
                report.add(String.format("  raw Kafka ProducerPerformance, records of %d B at 50/s: p99 %.1f ms -> ingress p99 / raw p99 = %.1f",
                        jsonBody.length(), rawP99, p99(latencies) / rawP99));
                report.add("  raw JSON baseline:   " + rawJson.trim());

                // the client's own share: the same requests, same client, against a server that only reads the body
                int trivialPort = freePort();
                trivial = startJava(TrivialServer.class, List.of("-Xmx64m", "-XX:+UseSerialGC"), Map.of("PORT", Integer.toString(trivialPort)),
                        dir.resolve("trivial.log"));
                URI trivialUri = URI.create("http://localhost:" + trivialPort + "/");
                awaitUp(http, trivialUri);
                jsonAt50PerSecond(http, trivialUri, jsonBody, warmUp);
                String trivialLoad = loadAverage();
                List<Long> client = jsonAt50PerSecond(http, trivialUri, jsonBody, JSON_REQUESTS);
                report.add(String.format("  client + loopback baseline (same client, same body, a server that only reads it): %s [load %s]",
                        percentiles(client), trivialLoad));
                report.forEach(System.out::println);
            } finally {
                if (trivial != null) {
                    trivial.destroy();
                }
                ingress.destroy();
                ingress.waitFor(30, TimeUnit.SECONDS);
            }
        }
        System.exit(0);
    }

    private static String percentiles(List<Long> latencies) {
        long errors = latencies.stream().filter(l -> l < 0).count();
        List<Long> ok = new ArrayList<>(latencies.stream().filter(l -> l >= 0).toList());
        Collections.sort(ok);
        return String.format("p50 %.1f ms, p99 %.1f ms, max %.1f ms, errors %d", ok.get(ok.size() / 2) / 1e6, p99(ok),
                ok.get(ok.size() - 1) / 1e6, errors);
    }

    private static double p99(List<Long> latencies) {
        List<Long> ok = new ArrayList<>(latencies.stream().filter(l -> l >= 0).toList());
        Collections.sort(ok);
        return ok.get((int) Math.ceil(ok.size() * 0.99) - 1) / 1e6;
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    /** utime + stime of a process, in ms (clock ticks of 10 ms). */
    static long cpuMillis(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
    }

    /** Stop-the-world pauses from the ingress JVM's -Xlog:gc file, in ms, in order. */
    static List<Double> gcPauses(Path dir) throws IOException {
        List<Double> pauses = new ArrayList<>();
        Matcher m = Pattern.compile("Pause .* ([0-9.]+)ms").matcher("");
        for (String line : Files.readAllLines(dir.resolve("ingress-gc.log"))) {
            if (m.reset(line).find()) {
                pauses.add(Double.parseDouble(m.group(1)));
            }
        }
        return pauses;
    }

    private static String ingressJvmArgs() {
        return "-Xmx" + System.getProperty("bench.xmx", "256m") + " " + System.getProperty("bench.jvmArgs", DEFAULT_JVM_ARGS);
    }

    private static Process startIngress(EmbeddedKafka kafka, EmbeddedPostgresDb pg, int port, Path dir) throws IOException {
        List<String> jvm = new ArrayList<>();
        for (String a : ingressJvmArgs().trim().split("\\s+")) {
            jvm.add(a);
        }
        jvm.add("-Xlog:gc:file=" + dir.resolve("ingress-gc.log"));
        return startJava(IngressApplication.class, jvm, Map.of("PORT", Integer.toString(port),
                "KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "MAILER_TOPIC_PREFIX", "bench.",
                "DATABASE_URL", pg.databaseUrl(),
                "MAILER_BOOTSTRAP_ADMIN_KEY", KEY,
                "INGRESS_RATE_LIMIT_PER_SECOND", "10000",
                "INGRESS_RECIPIENTS_PER_DAY", "1000000000"), dir.resolve("ingress.log"));
    }

    private static Process startJava(Class<?> main, List<String> jvmArgs, Map<String, String> env, Path log) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        return pb.start();
    }

    private static void awaitUp(HttpClient http, URI uri) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try {
                http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
                return;
            } catch (IOException e) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException(uri + " did not come up");
    }

    private static void awaitReady(HttpClient http, int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            try {
                var r = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/ready")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("ingress did not become ready");
    }

    private static int postNdjson(HttpClient http, int port, int recipients) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/batches"))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/x-ndjson")
                .timeout(Duration.ofMinutes(5))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new NdjsonStream(recipients))).build();
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) {
            throw new IllegalStateException("NDJSON answered " + r.statusCode() + ": " + r.body());
        }
        return r.statusCode();
    }

    private static List<Long> jsonAt50PerSecond(HttpClient http, URI uri, String body, int requests) throws Exception {
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        List<CompletableFuture<Long>> calls = Collections.synchronizedList(new ArrayList<>());
        HttpRequest request = HttpRequest.newBuilder(uri)
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        // open loop: requests start every 20 ms whatever the previous ones do (no coordinated omission)
        for (int i = 0; i < requests; i++) {
            ticker.schedule(() -> {
                long start = System.nanoTime();
                calls.add(http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                        .thenApply(r -> r.statusCode() == 202 ? System.nanoTime() - start : -1L));
            }, i * 20L, TimeUnit.MILLISECONDS);
        }
        ticker.shutdown();
        ticker.awaitTermination(10, TimeUnit.MINUTES);
        List<Long> out = new ArrayList<>();
        for (CompletableFuture<Long> c : calls) {
            out.add(c.get(2, TimeUnit.MINUTES));
        }
        return out;
    }

    static String jsonBatch(int recipients) {
        StringBuilder b = new StringBuilder("{\"from\":\"news@example.com\",\"subject\":\"Hello {{name}}\",\"html\":\"<p>Hi {{name}}</p>\",\"recipients\":[");
        for (int i = 0; i < recipients; i++) {
            b.append(i == 0 ? "" : ",").append(String.format("{\"email\":\"user%07d@example.com\",\"variables\":{\"name\":\"User %07d\"}}", i, i));
        }
        return b.append("]}").toString();
    }

    private static String producerPerformance(EmbeddedKafka kafka, String topic, int records, int size, int throughput) {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            ProducerPerformance.main(new String[] {"--topic", topic, "--num-records", Integer.toString(records),
                    "--record-size", Integer.toString(size), "--throughput", Integer.toString(throughput), "--producer-props",
                    "bootstrap.servers=" + kafka.bootstrapServers(), "acks=all", "enable.idempotence=true", "linger.ms=5",
                    "compression.type=lz4", "batch.size=262144", "max.request.size=4194304"});
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        String[] lines = out.trim().split("\n");
        return lines[lines.length - 1];
    }

    private static double number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("no '" + regex + "' in: " + text);
        }
        return Double.parseDouble(m.group(1));
    }

    private static long peakRssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Generates the NDJSON body on the fly, so the client side needs no memory for a million lines either. */
    static final class NdjsonStream extends InputStream {
        private final int recipients;
        private int next = -1;
        private byte[] current = "{\"from\":\"news@example.com\",\"subject\":\"Hello {{name}}\",\"html\":\"<p>Hi {{name}}</p>\"}\n"
                .getBytes(StandardCharsets.UTF_8);
        private int pos;

        NdjsonStream(int recipients) {
            this.recipients = recipients;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            int written = 0;
            while (written < len) {
                if (pos == current.length) {
                    next++;
                    if (next >= recipients) {
                        return written == 0 ? -1 : written;
                    }
                    current = String.format("{\"email\":\"user%07d@example.com\",\"variables\":{\"name\":\"User %07d\"}}%n", next, next)
                            .getBytes(StandardCharsets.UTF_8);
                    pos = 0;
                }
                int n = Math.min(len - written, current.length - pos);
                System.arraycopy(current, pos, b, off + written, n);
                pos += n;
                written += n;
            }
            return written;
        }
    }
}
