package io.mailer.webhook.bench;

import com.sun.net.httpserver.HttpServer;
import io.mailer.devstack.EmbeddedKafka;
import io.mailer.devstack.EmbeddedPostgresDb;
import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.EventType;
import io.mailer.schemas.kafka.Topics;
import io.mailer.schemas.webhooks.WebhookEndpoint;
import io.mailer.schemas.webhooks.WebhookSecret;
import io.mailer.webhook.WebhookApplication;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Throughput and event-to-POST latency of one relay replica. The relay runs as a child JVM (its
 * own RSS and CPU are measured from /proc) against an embedded broker and PostgreSQL; a local JDK
 * HttpServer receives (answers 204 at once) and, for every event in a body, takes now − the event's
 * {@code occurredAt} (set when the benchmark produced it). Events are produced at a fixed rate,
 * spread over {@code BENCH_TENANTS} tenants with one endpoint each ({@code BENCH_BATCH} events per
 * POST at most). Not part of {@code verify}: see docs/benchmarks.md for the command.
 */
class WebhookRelayBenchmark {

    static final int EVENTS = env("BENCH_EVENTS", 600_000);
    static final int WARMUP = env("BENCH_WARMUP", 100_000);
    static final int RATE = env("BENCH_RATE", 25_000);
    static final int TENANTS = env("BENCH_TENANTS", 10);
    static final int BATCH = env("BENCH_BATCH", 100);
    static final int PARTITIONS = env("BENCH_PARTITIONS", 6);
    static final String HEAP = System.getenv().getOrDefault("BENCH_HEAP", "-Xmx256m");

    final AtomicLong received = new AtomicLong();
    final AtomicLong posts = new AtomicLong();
    final AtomicLong lastReceivedAt = new AtomicLong();
    /** latency histogram, 1 ms buckets up to 120 s */
    volatile AtomicLongArray histogram = new AtomicLongArray(120_001);

    @Test
    void relayEventsToLocalReceivers() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(); EmbeddedPostgresDb postgres = EmbeddedPostgresDb.start()) {
            Topics topics = new Topics("bench.");
            kafka.createTopics(topics, PARTITIONS);
            HttpServer receiver = receiver();
            String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hooks/";
            Map<String, Object> config = new HashMap<>();
            config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
            config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
            try (var producer = new KafkaProducer<String, Object>(config, new StringSerializer(), (topic, data) ->
                    topic.equals(topics.deliveryEvents.name())
                            ? topics.deliveryEvents.valueSerde().serializer().serialize(topic, (DeliveryEvent) data)
                            : topics.webhookEndpoints.valueSerde().serializer().serialize(topic, (WebhookEndpoint) data))) {
                Instant now = Instant.now();
                for (int t = 0; t < TENANTS; t++) {
                    WebhookEndpoint e = new WebhookEndpoint("wh_bench" + t, "tenant" + t, url + t, List.of(), null, true, null, null,
                            List.of(new WebhookSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", null)), BATCH, now, now, 1);
                    producer.send(new ProducerRecord<>(topics.webhookEndpoints.name(), e.id(), e)).get();
                }
                int port = freePort();
                Process relay = startRelay(kafka, postgres, port);
                try {
                    awaitReady(port);
                    Thread.sleep(3000);
                    System.out.printf("BENCH warm-up: %,d events at %,d/s%n", WARMUP, RATE);
                    Result warm = run(producer, topics, WARMUP, relay);
                    System.out.println("BENCH warm-up " + warm);
                    Result result = run(producer, topics, EVENTS, relay);
                    System.out.printf("BENCH result: tenants=%d batch=%d partitions=%d heap=%s %s%n", TENANTS, BATCH, PARTITIONS, HEAP, result);
                } finally {
                    relay.destroy();
                    relay.waitFor();
                    receiver.stop(0);
                }
            }
        }
    }

    record Result(int events, double producedPerSecond, double deliveredPerSecond, long p50, long p99, long max, long posts,
            long maxRssMb, double cpuSecondsPer100k, double load) {
        @Override
        public String toString() {
            return String.format("events=%,d produced=%,.0f/s delivered=%,.0f/s latency p50=%d ms p99=%d ms max=%d ms posts=%,d"
                    + " relayRssMax=%d MB relayCpu=%.2f s/100k load1=%.2f", events, producedPerSecond, deliveredPerSecond, p50, p99, max,
                    posts, maxRssMb, cpuSecondsPer100k, load);
        }
    }

    Result run(KafkaProducer<String, Object> producer, Topics topics, int n, Process relay) throws Exception {
        histogram = new AtomicLongArray(120_001);
        received.set(0);
        posts.set(0);
        long cpuBefore = cpuTicks(relay.pid());
        long[] maxRss = {0};
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                maxRss[0] = Math.max(maxRss[0], rssKb(relay.pid()));
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.start();
        long start = System.nanoTime();
        long startMs = System.currentTimeMillis();
        EventType[] types = {EventType.SENT, EventType.DELIVERED, EventType.OPENED};
        for (int i = 0; i < n; i++) {
            long due = start + (long) i * 1_000_000_000L / RATE;
            long wait = due - System.nanoTime();
            if (wait > 1_000_000) {
                Thread.sleep(wait / 1_000_000);
            }
            int tenant = i % TENANTS;
            String sendId = "bat_" + tenant + "-" + (i / 3);
            EventType type = types[i % 3];
            DeliveryEvent e = new DeliveryEvent(sendId + ":" + type + ":" + i, type, sendId, "bat_" + tenant, "tenant" + tenant, i / 3,
                    "r" + i + "@example.com", Instant.now(), null, null, Map.of());
            producer.send(new ProducerRecord<>(topics.deliveryEvents.name(), sendId, e));
        }
        producer.flush();
        double produced = n / ((System.nanoTime() - start) / 1e9);
        long deadline = System.currentTimeMillis() + 300_000;
        while (received.get() < n && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        sampler.interrupt();
        sampler.join();
        double delivered = received.get() / ((lastReceivedAt.get() - startMs) / 1000.0);
        long cpu = cpuTicks(relay.pid()) - cpuBefore;
        return new Result(n, produced, delivered, percentile(0.50), percentile(0.99), percentile(1.0), posts.get(),
                maxRss[0] / 1024, cpu / 100.0 / (n / 100_000.0), load());
    }

    long percentile(double q) {
        long total = 0;
        for (int i = 0; i < histogram.length(); i++) {
            total += histogram.get(i);
        }
        long target = (long) Math.ceil(total * q);
        long seen = 0;
        for (int i = 0; i < histogram.length(); i++) {
            seen += histogram.get(i);
            if (seen >= target && histogram.get(i) > 0) {
                return i;
            }
        }
        return -1;
    }

    HttpServer receiver() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
        server.setExecutor(Executors.newFixedThreadPool(16));
        byte[] marker = "\"occurredAt\":\"".getBytes(StandardCharsets.US_ASCII);
        server.createContext("/hooks/", exchange -> {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            long now = System.currentTimeMillis();
            int events = 0;
            for (int i = indexOf(body, marker, 0); i >= 0; i = indexOf(body, marker, i + marker.length)) {
                int from = i + marker.length;
                int to = from;
                while (body[to] != '"') {
                    to++;
                }
                long at = Instant.parse(new String(body, from, to - from, StandardCharsets.US_ASCII)).toEpochMilli();
                histogram.incrementAndGet((int) Math.min(120_000, Math.max(0, now - at)));
                events++;
            }
            received.addAndGet(events);
            posts.incrementAndGet();
            lastReceivedAt.accumulateAndGet(now, Math::max);
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        return server;
    }

    static int indexOf(byte[] data, byte[] pattern, int from) {
        outer:
        for (int i = from; i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    Process startRelay(EmbeddedKafka kafka, EmbeddedPostgresDb postgres, int port) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(List.of(HEAP.split(" ")));
        command.addAll(List.of("-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), WebhookApplication.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(Map.of("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(), "MAILER_TOPIC_PREFIX", "bench.",
                "PORT", Integer.toString(port), "DATABASE_URL", postgres.databaseUrl(), "WEBHOOK_ALLOW_HTTP", "true",
                "WEBHOOK_ALLOWED_NETWORKS", "127.0.0.1/32"));
        pb.redirectErrorStream(true).redirectOutput(Path.of("target", "bench-relay.log").toFile());
        return pb.start();
    }

    static void awaitReady(int port) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException e) {
                // not up yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("relay not ready; see target/bench-relay.log");
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static long rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (Exception e) {
            // gone
        }
        return 0;
    }

    static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (Exception e) {
            return 0;
        }
    }

    static double load() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (Exception e) {
            return -1;
        }
    }

    static int env(String name, int dflt) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? dflt : Integer.parseInt(v.trim());
    }
}
