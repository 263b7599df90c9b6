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
 * {@code dispatcher-service/benchmarks/run.sh}. Pre-fills {@code sends} with BENCH_RECORDS records
 * (default 200,000), starts one dispatcher as a child JVM against the SES stub at BENCH_STUB_URL and
 * measures the drain: sends/s (stub's accepted count over time), CPU seconds and peak RSS of the
 * dispatcher process. Prints one line "BENCH ..." per run.
 */
class DispatcherBenchmark {

    @Test
    void drainSendsThroughTheStub() throws Exception {
        int records = Integer.parseInt(env("BENCH_RECORDS", "200000"));
        String stub = env("BENCH_STUB_URL", "http://127.0.0.1:18080");
        String concurrency = env("BENCH_CONCURRENCY", "64");
        String pollRecords = env("BENCH_POLL_RECORDS", "2000");
        String label = env("BENCH_LABEL", "run");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            Topics topics = new Topics("bench.");
            kafka.createTopics(topics, 6);
            prefill(kafka, topics, records);
            post(stub + "/stats/reset");
            Process child = startDispatcher(kafka, stub, concurrency, pollRecords);
            try {
                long t0 = System.nanoTime();
                await().atMost(Duration.ofMinutes(20)).pollInterval(Duration.ofMillis(200))
                        .until(() -> accepted(stub) >= records);
                double seconds = (System.nanoTime() - t0) / 1e9;
                Map<String, Long> proc = procStats(child.pid());
                String stats = get(stub + "/stats");
                double stubRate = number(stats, "ratePerSecond");
                System.out.printf("BENCH %s records=%d concurrency=%s stubRate=%.0f/s wallRate=%.0f/s "
                                + "cpu=%.1fs (%.0f%% of one core over the drain) peakRss=%dMB rss=%dMB accepted=%d%n",
                        label, records, concurrency, stubRate, records / seconds, proc.get("cpuTicks") / 100.0,
                        proc.get("cpuTicks") / 100.0 / seconds * 100, proc.get("hwmKb") / 1024,
                        proc.get("rssKb") / 1024, accepted(stub));
            } finally {
                child.destroy();
                child.waitFor();
            }
        }
    }

    private static void prefill(EmbeddedKafka kafka, Topics topics, int records) {
        MessageContent message = new MessageContent("news@example.com", null, "Hello {{name}}",
                "<p>Hi {{name}}, this is the weekly news.</p>", "Hi {{name}}", Map.of(), Map.of(), null, true);
        try (KafkaProducer<String, SendRequest> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024),
                new StringSerializer(), topics.sends.valueSerde().serializer())) {
            for (int i = 0; i < records; i++) {
                SendRequest send = Fixtures.send("bench", i, "r" + i + "@example.com", Map.of("name", "R" + i), message);
                producer.send(new ProducerRecord<>(topics.sends.name(), send.sendId(), send));
            }
        }
    }

    private static Process startDispatcher(EmbeddedKafka kafka, String stub, String concurrency, String pollRecords)
            throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx384m", "-Daws.accessKeyId=test",
                "-Daws.secretAccessKey=test", "-Dmailer.dispatcher.max-poll-records=" + pollRecords,
                "-cp", System.getProperty("java.class.path"), DispatcherApplication.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "MAILER_TOPIC_PREFIX", "bench.", "PORT", "0", "AWS_REGION", "us-east-1", "SES_ENDPOINT", stub,
                "MAIL_FROM", "news@example.com", "WORKER_CONCURRENCY", concurrency, "SES_MAX_SEND_RATE", "100000"));
        pb.redirectErrorStream(true).redirectOutput(Path.of("target", "bench-dispatcher.log").toFile());
        return pb.start();
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
