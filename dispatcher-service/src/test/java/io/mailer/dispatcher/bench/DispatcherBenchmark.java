package io.mailer.dispatcher.bench;

import static org.awaitility.Awaitility.await;

import io.mailer.devstack.EmbeddedKafka;
import io.mailer.dispatcher.DispatcherApplication;
import io.mailer.dispatcher.Fixtures;
import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.events.SendRequest;
import io.mailer.schemas.kafka.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Not part of the build (the name matches neither *Test nor *IT): run by
 * {@code dispatcher-service/benchmarks/run.sh}. For each mode of BENCH_MODES ("single bulk"): pre-fills
 * {@code sends} (own topic prefix) with BENCH_RECORDS records (default 200,000) of one batch, starts
 * one dispatcher as a child JVM (SES_SEND_MODE = the mode) against the SES stub at BENCH_STUB_URL and
 * measures the drain: sends/s from the first accepted send to the last (stub's count), the same
 * including start-up, CPU seconds of the dispatcher process during the drain (utime+stime from /proc)
 * and per 1,000 sends, and its peak RSS. Prints one line "BENCH ..." per mode.
 */
class DispatcherBenchmark {

    /** The child JVM's memory settings: heap, Netty's direct buffers, code cache, metaspace, thread stacks. */
    static final List<String> JVM_FLAGS = List.of("-Xms256m", "-Xmx256m", "-XX:MaxDirectMemorySize=64m",
            "-XX:ReservedCodeCacheSize=64m", "-XX:MaxMetaspaceSize=128m", "-Xss512k", "-XX:+UseSerialGC");

    @Test
    void drainSendsThroughTheStub() throws Exception {
        int wanted = Integer.parseInt(env("BENCH_RECORDS", "200000"));
        String stub = env("BENCH_STUB_URL", "http://127.0.0.1:18080");
        String label = env("BENCH_LABEL", "run");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            for (String mode : env("BENCH_MODES", "single bulk").trim().split("\\s+")) {
                String concurrency = env("BENCH_CONCURRENCY_" + mode.toUpperCase(), env("BENCH_CONCURRENCY", "64"));
                String pollRecords = env("BENCH_POLL_RECORDS_" + mode.toUpperCase(), env("BENCH_POLL_RECORDS", "2000"));
                String prefix = "bench-" + mode + ".";
                Topics topics = new Topics(prefix);
                kafka.createTopics(topics, 6);
                // what Kafka acknowledged (a loaded machine can time a few prefill writes out)
                int records = prefill(kafka, topics, wanted);
                post(stub + "/stats/reset");
                String loadBefore = loadAverage();
                Process child = startDispatcher(kafka, stub, prefix, mode, concurrency, pollRecords);
                try {
                    long launched = System.nanoTime();
                    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(20)).until(() -> accepted(stub) > 0);
                    long first = System.nanoTime();
                    long acceptedAtFirst = accepted(stub);
                    long cpuAtFirst = procStats(child.pid()).get("cpuTicks");
                    Thread heap = heapSampler(child.pid(), stub, label, mode);
                    await().atMost(Duration.ofMinutes(Integer.parseInt(env("BENCH_MAX_MINUTES", "20"))))
                            .pollInterval(Duration.ofMillis(100)).until(() -> accepted(stub) >= records);
                    if (heap != null) {
                        heap.interrupt();
                    }
                    long done = System.nanoTime();
                    Map<String, Long> proc = procStats(child.pid());
                    double drainSeconds = (done - first) / 1e9;
                    double cpu = (proc.get("cpuTicks") - cpuAtFirst) / 100.0;
                    long drained = records - acceptedAtFirst;
                    System.out.printf("BENCH %s mode=%s records=%d concurrency=%s poll=%s rate=%.0f/s"
                                    + " inclStartup=%.0f/s cpu=%.1fs (%.2f cores) cpuPer1000=%.3fs peakRss=%dMB"
                                    + " rss=%dMB accepted=%d load=[%s]->[%s]%n",
                            label, mode, records, concurrency, pollRecords, drained / drainSeconds,
                            records / ((done - launched) / 1e9), cpu, cpu / drainSeconds, cpu / drained * 1000,
                            proc.get("hwmKb") / 1024, proc.get("rssKb") / 1024, accepted(stub), loadBefore, loadAverage());
                } finally {
                    child.destroy();
                    child.waitFor();
                }
            }
        }
    }

    /**
     * The soak's memory probe (BENCH_HEAP_EVERY seconds, off by default): a full GC in the dispatcher,
     * then its heap use, with the sends SES accepted so far — flat means no state grows with history.
     */
    private static Thread heapSampler(long pid, String stub, String label, String mode) {
        int every = Integer.parseInt(env("BENCH_HEAP_EVERY", "0"));
        if (every <= 0) {
            return null;
        }
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        Thread t = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(every * 1000L);
                    run(jcmd, Long.toString(pid), "GC.run");
                    long usedKb = 0;
                    for (String line : run(jcmd, Long.toString(pid), "GC.heap_info").split("\n")) {
                        Matcher used = Pattern.compile("generation.*used (\\d+)K").matcher(line);
                        if (used.find()) {
                            usedKb += Long.parseLong(used.group(1)); // young + tenured (Serial GC)
                        }
                    }
                    System.out.printf("HEAP %s mode=%s accepted=%d heapAfterFullGcKb=%d rssMb=%d%n", label, mode,
                            accepted(stub), usedKb, procStats(pid).get("rssKb") / 1024);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                System.out.println("HEAP sampling stopped: " + e);
            }
        }, "heap-sampler");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    private static int prefill(EmbeddedKafka kafka, Topics topics, int records) {
        java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();
        MessageContent message = new MessageContent("news@example.com", null, "Hello {{name}}",
                "<p>Hi {{name}}, this is the weekly news.</p>", "Hi {{name}}", Map.of(), Map.of(), null, true);
        try (KafkaProducer<String, SendRequest> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 600_000, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 120_000,
                // not idempotent: a batch retried after the fresh topic's first NOT_LEADER answers could
                // loop on OUT_OF_ORDER_SEQUENCE forever (seen here, the run hung in prefill); order and a
                // rare duplicate do not matter to the drain (a duplicate is a ledger hit, not a send)
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), topics.sends.valueSerde().serializer())) {
            for (int i = 0; i < records; i++) {
                SendRequest send = Fixtures.send("bench", i, "r" + i + "@example.com", Map.of("name", "R" + i), message);
                producer.send(new ProducerRecord<>(topics.sends.name(), send.sendId(), send), (metadata, error) -> {
                    if (error != null) {
                        failed.incrementAndGet();
                    }
                });
            }
        }
        if (failed.get() > 0) {
            System.out.printf("BENCH prefill: %d of %d records not acknowledged by Kafka; draining the rest%n",
                    failed.get(), records);
        }
        return records - failed.get();
    }

    private static Process startDispatcher(EmbeddedKafka kafka, String stub, String prefix, String mode,
            String concurrency, String pollRecords) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(JVM_FLAGS);
        if (!env("BENCH_JFR", "").isEmpty()) {
            // diagnosis only: a CPU profile of the dispatcher, e.g. BENCH_JFR=/tmp (not for the figures)
            command.add("-XX:StartFlightRecording=settings=profile,filename=" + env("BENCH_JFR", "") + "/dispatcher-"
                    + mode + ".jfr");
        }
        command.addAll(List.of("-Daws.accessKeyId=test", "-Daws.secretAccessKey=test",
                "-Dmailer.dispatcher.max-poll-records=" + pollRecords,
                "-cp", System.getProperty("java.class.path"), DispatcherApplication.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "MAILER_TOPIC_PREFIX", prefix, "PORT", "0", "AWS_REGION", "us-east-1", "SES_ENDPOINT", stub,
                "MAIL_FROM", "news@example.com", "WORKER_CONCURRENCY", concurrency, "SES_MAX_SEND_RATE", "100000",
                "SES_SEND_MODE", mode));
        pb.redirectErrorStream(true).redirectOutput(Path.of("target", "bench-dispatcher-" + mode + ".log").toFile());
        return pb.start();
    }

    private static String loadAverage() throws Exception {
        String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return f[0] + " " + f[1] + " " + f[2];
    }

    private static Map<String, Long> procStats(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime + stime (fields 14, 15)
        String status = Files.readString(Path.of("/proc", Long.toString(pid), "status"));
        return Map.of("cpuTicks", ticks, "hwmKb", kb(status, "VmHWM"), "rssKb", kb(status, "VmRSS"));
    }

    private static long kb(String status, String field) {
        Matcher m = Pattern.compile(field + ":\\s+(\\d+)").matcher(status);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static long accepted(String stub) throws Exception {
        return (long) number(get(stub + "/stats"), "accepted");
    }

    private static double number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":([0-9.eE+-]+)").matcher(json);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    private static String get(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static void post(String url) throws Exception {
        HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
