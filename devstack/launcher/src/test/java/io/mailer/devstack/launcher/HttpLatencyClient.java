package io.mailer.devstack.launcher;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Sequential GETs over one HTTP/1.1 keep-alive connection, run as its own small JVM by
 * {@link BatchReadBenchmark}: a client measured inside the benchmark JVM also measures that JVM's
 * garbage collector, which holds the embedded broker, the projector and the load producer.
 *
 * <p>Configured by env vars (a {@link io.mailer.devstack.ChildJvm} gets no arguments): {@code BENCH_URL},
 * {@code BENCH_KEY} (bearer key, may be empty), {@code BENCH_WARMUP} and {@code BENCH_REQUESTS}
 * (counts), {@code BENCH_OUT} (file: one latency in nanoseconds per line).
 */
final class HttpLatencyClient {

    private HttpLatencyClient() {
    }

    public static void main(String[] args) throws Exception {
        URI url = URI.create(System.getenv("BENCH_URL"));
        int warmup = Integer.parseInt(System.getenv("BENCH_WARMUP"));
        int n = Integer.parseInt(System.getenv("BENCH_REQUESTS"));
        Path out = Path.of(System.getenv("BENCH_OUT"));
        HttpRequest.Builder builder = HttpRequest.newBuilder(url).GET();
        String key = System.getenv("BENCH_KEY");
        if (key != null && !key.isEmpty()) {
            builder.header("Authorization", "Bearer " + key);
        }
        HttpRequest request = builder.build();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long[] nanos = new long[n];
        for (int i = -warmup; i < n; i++) {
            long t = System.nanoTime();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            long took = System.nanoTime() - t;
            if (response.statusCode() != 200) {
                System.err.println("GET " + url + " answered " + response.statusCode() + ": " + response.body());
                System.exit(1);
            }
            if (i >= 0) {
                nanos[i] = took;
            }
        }
        List<String> lines = new ArrayList<>(n);
        for (long v : nanos) {
            lines.add(Long.toString(v));
        }
        Files.write(out, lines);
    }
}
