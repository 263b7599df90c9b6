package io.mailer.devstack.launcher;

import io.mailer.devstack.ChildJvm;
import io.mailer.devstack.DevStack;
import io.mailer.feedback.FeedbackApplication;
import io.mailer.ingress.IngressApplication;
import io.mailer.schemas.commands.BatchCommand;
import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.commands.RecipientEntry;
import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.EventType;
import io.mailer.schemas.events.Ids;
import io.mailer.schemas.kafka.Topics;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code GET /api/v1/batches/{id}} of a 1,000,000-recipient batch while the projector writes other
 * batches' chunks and events: the former aggregate over the recipient rows (run as SQL, the query
 * BatchQueries had up to changeset 009) against the counters row (as SQL and through the real
 * ingress over HTTP), in one run on one database. Not part of any build (the name is no *Test/*IT):
 * see docs/benchmarks.md, section "Batch reads", for the command and the figures.
 */
class BatchReadBenchmark {

    private static final String TENANT = "default";
    private static final String BIG = "bat_benchmillion" + "0".repeat(14);

    /** BatchQueries' aggregate before the counters: every recipient row of the batch, each request. */
    private static final String OLD_QUERY = """
            SELECT b.id, b.status, b.created_at, b.total,
                   count(r.send_id) FILTER (WHERE r.status = 'SUPPRESSED') AS suppressed,
                   count(r.send_id) FILTER (WHERE r.status IN ('SENT','DELIVERED','BOUNCED','COMPLAINED')) AS sent,
                   count(r.send_id) FILTER (WHERE r.status IN ('DELIVERED','COMPLAINED') OR (r.delivered_at IS NOT NULL AND r.status <> 'BOUNCED')) AS delivered,
                   count(r.send_id) FILTER (WHERE r.status = 'BOUNCED') AS bounced,
                   count(r.send_id) FILTER (WHERE r.complained_at IS NOT NULL OR r.status = 'COMPLAINED') AS complained,
                   count(r.send_id) FILTER (WHERE r.status = 'FAILED') AS failed,
                   count(r.send_id) FILTER (WHERE r.status = 'CANCELLED') AS cancelled
              FROM batch b LEFT JOIN recipient r ON r.batch_id = b.id
             WHERE b.id = ? AND b.tenant_id = ?
             GROUP BY b.id, b.status, b.created_at, b.total
            """;

    /** BatchQueries.FIND now. */
    private static final String NEW_QUERY = """
            SELECT b.id, b.status, b.created_at, b.total, c.suppressed, c.sent, c.delivered, c.bounced, c.complained,
                   c.failed, c.cancelled
              FROM batch b LEFT JOIN batch_counts c ON c.batch_id = b.id
             WHERE b.id = ? AND b.tenant_id = ?
            """;

    private final int recipients = Integer.getInteger("bench.recipients", 1_000_000);
    private final int requests = Integer.getInteger("bench.requests", 1000);
    private final int eventsPerSecond = Integer.getInteger("bench.eventsPerSecond", 1000);
    /** false: skip the old aggregate (~20 of the run's ~25 min); the figures of the new read stay. */
    private final boolean before = Boolean.parseBoolean(System.getProperty("bench.before", "true"));
    private final int httpWarmup = Integer.getInteger("bench.httpWarmup", 2000);
    /** true: the ingress runs as deployed, its own JVM; false: inside the benchmark JVM (the first runs' set-up). */
    private final boolean childIngress = Boolean.parseBoolean(System.getProperty("bench.childIngress", "true"));
    private final String ingressJvmArgs = System.getProperty("bench.ingressJvmArgs", "-Xmx512m");
    private final List<String> report = new ArrayList<>();
    /** A small client: its few allocations never need a collection during 1,000 requests. */
    private static final String CLIENT_JVM_ARGS = "-Xmx64m -Xms64m -XX:+UseSerialGC";

    @Test
    void measure() throws Exception {
        try (DevStack stack = DevStack.start(DevStack.Options.defaults().ses(false))) {
            Map<String, String> env = new HashMap<>(stack.env());
            env.put("PORT", "0");
            env.put("SQS_WAIT_SECONDS", "1");
            env.put("INGRESS_RATE_LIMIT_PER_SECOND", "1000000"); // the per-key limit (50/s) is not what is measured
            List<ConfigurableApplicationContext> apps = new ArrayList<>();
            ChildJvm child = null;
            try {
                apps.add(FeedbackApplication.start(env));
                String base;
                if (childIngress) {
                    int port = freePort();
                    env.put("PORT", Integer.toString(port));
                    Path log = Files.createTempFile("batch-read-ingress", ".log");
                    child = ChildJvm.start(IngressApplication.class.getName(), List.of(ingressJvmArgs.trim().split("\\s+")), env, log);
                    base = "http://localhost:" + port;
                    child.awaitOk(base + "/api/v1/ready", Duration.ofMinutes(3));
                    add("ingress: its own JVM (" + ingressJvmArgs + "), pid " + child.pid() + ", log " + log);
                } else {
                    ConfigurableApplicationContext ingress = IngressApplication.start(env);
                    apps.add(ingress);
                    base = "http://localhost:" + MailerServices.port(ingress);
                    add("ingress: in the benchmark JVM, beside the broker, the projector and the load");
                }
                String url = base + "/api/v1/batches/" + BIG;
                try (Connection db = DriverManager.getConnection(stack.postgres().jdbcUrl(), stack.postgres().username(),
                        stack.postgres().password())) {
                    seed(db);
                    Load load = new Load(stack.topics(), stack.kafka().bootstrapServers(), eventsPerSecond);
                    Thread loader = new Thread(load, "bench-load");
                    loader.setDaemon(true);
                    loader.start();
                    try {
                        Thread.sleep(5000); // the projector is busy before anything is measured
                        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                        String key = env.get("MAILER_BOOTSTRAP_ADMIN_KEY");
                        if (before) {
                            runSql(db, OLD_QUERY, 10, null);
                        }
                        runSql(db, NEW_QUERY, 200, null);
                        runHttp(db, http, url, key, httpWarmup, null);
                        // the quick phases first, so a run cut short still has them
                        runSql(db, NEW_QUERY, requests, "after: counters row, SQL (JDBC)");
                        // a client is its own process: in this JVM it would also measure the broker's and projector's GC pauses
                        runHttpClientJvm(db, url, key, httpWarmup, requests,
                                "after: GET /api/v1/batches/{id} over HTTP, client in its own JVM");
                        runHttp(db, http, url, key, requests, "after: GET /api/v1/batches/{id} over HTTP, client in the benchmark JVM");
                        // the floor of this client and server on this machine now: no auth, no database
                        String probe = base + "/api/v1/health";
                        runHttpClientJvm(db, probe, null, httpWarmup, requests,
                                "baseline: GET /api/v1/health, client in its own JVM (no auth, no SQL)");
                        runHttp(db, http, probe, null, httpWarmup / 4, null);
                        runHttp(db, http, probe, null, requests, "baseline: GET /api/v1/health, client in the benchmark JVM");
                        if (before) {
                            runSql(db, OLD_QUERY, requests, "before: old aggregate, SQL (JDBC)");
                        }
                    } finally {
                        load.stop.set(true);
                        loader.join(10_000);
                    }
                    add(String.format("projector load: %,d delivery events and %,d chunk records produced at a target"
                            + " of %,d events/s; event rows projected: %,d", load.events.get(), load.chunks.get(),
                            eventsPerSecond, eventRows(db)));
                }
            } finally {
                if (child != null) {
                    add("ingress RSS at the end: " + rssMb(child.pid()) + " MB");
                    child.close();
                }
                for (int i = apps.size() - 1; i >= 0; i--) {
                    apps.get(i).close();
                }
            }
        }
    }

    /** The big batch as the projector would leave it: recipient rows in every state, and its counters. */
    private void seed(Connection db) throws SQLException {
        long t = System.nanoTime();
        try (Statement st = db.createStatement()) {
            st.execute("INSERT INTO batch (id, tenant_id, status, total, created_at) VALUES ('" + BIG + "', '" + TENANT
                    + "', 'PROCESSING', " + recipients + ", now())");
            // per 100: 2 suppressed, 1 failed, 2 bounced, 1 complained, 74 delivered, 15 sent, 5 queued
            st.execute("""
                    INSERT INTO recipient (send_id, batch_id, tenant_id, recipient_index, email, status, status_rank,
                                           sent_at, delivered_at, bounced_at, complained_at)
                    SELECT '%1$s-' || i, '%1$s', '%2$s', i, 'r' || i || '@example.com', s.status, s.rank,
                           CASE WHEN s.rank BETWEEN 1 AND 3 THEN now() END,
                           CASE WHEN s.status IN ('DELIVERED', 'COMPLAINED') THEN now() END,
                           CASE WHEN s.status = 'BOUNCED' THEN now() END,
                           CASE WHEN s.status = 'COMPLAINED' THEN now() END
                      FROM generate_series(0, %3$d - 1) i,
                           LATERAL (SELECT CASE WHEN i %% 100 < 2 THEN 'SUPPRESSED' WHEN i %% 100 < 3 THEN 'FAILED'
                                                WHEN i %% 100 < 5 THEN 'BOUNCED' WHEN i %% 100 < 6 THEN 'COMPLAINED'
                                                WHEN i %% 100 < 80 THEN 'DELIVERED' WHEN i %% 100 < 95 THEN 'SENT'
                                                ELSE 'QUEUED' END AS status) st,
                           LATERAL (SELECT st.status, CASE st.status WHEN 'QUEUED' THEN 0 WHEN 'SENT' THEN 1
                                                WHEN 'DELIVERED' THEN 2 WHEN 'BOUNCED' THEN 3 WHEN 'COMPLAINED' THEN 3
                                                ELSE 5 END AS rank) s
                    """.formatted(BIG, TENANT, recipients));
            // what changeset 009's backfill writes for it
            st.execute("""
                    INSERT INTO batch_counts (batch_id, suppressed, sent, delivered, bounced, complained, failed, cancelled)
                    SELECT batch_id, count(*) FILTER (WHERE status = 'SUPPRESSED'),
                           count(*) FILTER (WHERE status IN ('SENT','DELIVERED','BOUNCED','COMPLAINED')),
                           count(*) FILTER (WHERE status IN ('DELIVERED','COMPLAINED') OR (delivered_at IS NOT NULL AND status <> 'BOUNCED')),
                           count(*) FILTER (WHERE status = 'BOUNCED'),
                           count(*) FILTER (WHERE complained_at IS NOT NULL OR status = 'COMPLAINED'),
                           count(*) FILTER (WHERE status = 'FAILED'), count(*) FILTER (WHERE status = 'CANCELLED')
                      FROM recipient WHERE batch_id = '%s' GROUP BY batch_id
                    """.formatted(BIG));
            st.execute("VACUUM ANALYZE recipient");
            st.execute("VACUUM ANALYZE batch_counts");
        }
        add(String.format("seeded %,d recipient rows of %s in %.1f s", recipients, BIG, (System.nanoTime() - t) / 1e9));
        String old = firstRow(db, OLD_QUERY);
        String now = firstRow(db, NEW_QUERY);
        add("old aggregate: " + old);
        add("counters row:  " + now);
        if (!old.equals(now)) {
            throw new IllegalStateException("the counters differ from the aggregate");
        }
    }

    private static String firstRow(Connection db, String sql) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            ps.setString(1, BIG);
            ps.setString(2, TENANT);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                StringBuilder row = new StringBuilder();
                for (String c : List.of("total", "suppressed", "sent", "delivered", "bounced", "complained", "failed",
                        "cancelled")) {
                    row.append(c).append('=').append(rs.getLong(c)).append(' ');
                }
                return row.toString().trim();
            }
        }
    }

    private void runSql(Connection db, String sql, int n, String label) throws SQLException {
        long[] nanos = new long[n];
        long events = eventRows(db);
        long start = System.nanoTime();
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            for (int i = 0; i < n; i++) {
                long t = System.nanoTime();
                ps.setString(1, BIG);
                ps.setString(2, TENANT);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                }
                nanos[i] = System.nanoTime() - t;
                if (label != null && (i + 1) % 100 == 0 && i + 1 < n) {
                    record(label + " (progress)", Arrays.copyOf(nanos, i + 1), start, -1, -1);
                }
            }
        }
        record(label, nanos, start, events, eventRows(db));
    }

    private void runHttp(Connection db, HttpClient http, String url, String key, int n, String label)
            throws IOException, InterruptedException, SQLException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).GET();
        if (key != null) {
            builder.header("Authorization", "Bearer " + key);
        }
        HttpRequest request = builder.build();
        long[] nanos = new long[n];
        long events = label == null ? -1 : eventRows(db);
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            nanos[i] = System.nanoTime() - t;
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET answered " + response.statusCode() + ": " + response.body());
            }
        }
        record(label, nanos, start, events, label == null ? -1 : eventRows(db));
    }

    /** The same sequential GETs from {@link HttpLatencyClient} in its own small JVM. */
    private void runHttpClientJvm(Connection db, String url, String key, int warmup, int n, String label)
            throws IOException, InterruptedException, SQLException {
        Path out = Files.createTempFile("batch-read-client", ".txt");
        Path log = Files.createTempFile("batch-read-client", ".log");
        Map<String, String> env = new HashMap<>();
        env.put("BENCH_URL", url);
        env.put("BENCH_KEY", key == null ? "" : key);
        env.put("BENCH_WARMUP", Integer.toString(warmup));
        env.put("BENCH_REQUESTS", Integer.toString(n));
        env.put("BENCH_OUT", out.toString());
        long events = eventRows(db);
        long start = System.nanoTime();
        ChildJvm client = ChildJvm.start(HttpLatencyClient.class.getName(), List.of(CLIENT_JVM_ARGS.split(" ")), env, log);
        int exit = client.awaitExit(Duration.ofMinutes(10));
        if (exit != 0) {
            throw new IllegalStateException("the client JVM exited with " + exit + ": " + Files.readString(log));
        }
        long[] nanos = Files.readAllLines(out).stream().mapToLong(Long::parseLong).toArray();
        // the phase's time and the projector's rate include the client JVM's start-up and warm-up
        record(label + " [" + CLIENT_JVM_ARGS + ", " + warmup + " warm-up GETs]", nanos, start, events, eventRows(db));
    }

    private void record(String label, long[] nanos, long start, long eventsBefore, long eventsAfter) {
        if (label == null) {
            return;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        String projected = eventsBefore < 0 ? "" : String.format(", projector wrote %,.0f events/s meanwhile",
                (eventsAfter - eventsBefore) / seconds);
        add(String.format("BENCH %-60s n=%d p50=%.2f ms p90=%.2f ms p99=%.2f ms max=%.2f ms (%.1f s%s; load %s)",
                label, nanos.length, ms(sorted, 0.50), ms(sorted, 0.90), ms(sorted, 0.99), sorted[sorted.length - 1] / 1e6,
                seconds, projected, loadAverage()));
    }

    /** A report line, printed and written at once: a run cut short keeps what it measured. */
    private void add(String line) {
        report.add(line);
        System.out.println(line);
        try {
            Files.write(Path.of("target", "batch-read-bench.txt"), report);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static double ms(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }

    private static long eventRows(Connection db) throws SQLException {
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM event")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    /**
     * The projector's work meanwhile: batches of 10,000 recipients (chunks of 500), then a SENT and
     * a DELIVERED event per recipient, paced at the target rate (every 10 ms a slice of it).
     */
    private static final class Load implements Runnable {

        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong events = new AtomicLong();
        final AtomicLong chunks = new AtomicLong();
        private final Topics topics;
        private final KafkaProducer<String, byte[]> producer;
        private final int perTick;

        Load(Topics topics, String bootstrap, int eventsPerSecond) {
            this.topics = topics;
            Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
            this.perTick = Math.max(1, eventsPerSecond / 100);
        }

        @Override
        public void run() {
            try (producer) {
                MessageContent message = new MessageContent("a@load.example", null, "s", "h", "t", Map.of(), Map.of(),
                        null, false);
                long next = System.nanoTime();
                for (int b = 0; !stop.get(); b++) {
                    String batch = String.format("bat_benchload%017d", b);
                    for (int c = 0; c < 20; c++) {
                        List<RecipientEntry> entries = new ArrayList<>();
                        for (int i = c * 500; i < (c + 1) * 500; i++) {
                            entries.add(new RecipientEntry("l" + i + "@example.com", Map.of(), Map.of()));
                        }
                        BatchCommand chunk = BatchCommand.submitChunk(batch, TENANT, c, 20, c * 500, 10_000, message,
                                entries, Instant.now());
                        send(topics.batchCommands.name(), batch,
                                topics.batchCommands.valueSerde().serializer().serialize(topics.batchCommands.name(), chunk));
                        chunks.incrementAndGet();
                    }
                    for (EventType type : List.of(EventType.SENT, EventType.DELIVERED)) {
                        for (int i = 0; i < 10_000 && !stop.get(); i++) {
                            String sendId = Ids.sendId(batch, i);
                            String id = type == EventType.SENT ? Ids.pipelineEventId(sendId, type)
                                    : Ids.sesEventId("ses-" + sendId, type.name(), "l" + i + "@example.com");
                            DeliveryEvent e = new DeliveryEvent(id, type, sendId, batch, TENANT, i, "l" + i + "@example.com",
                                    Instant.now(), "ses-" + sendId, null, Map.of());
                            send(topics.deliveryEvents.name(), sendId,
                                    topics.deliveryEvents.valueSerde().serializer().serialize(topics.deliveryEvents.name(), e));
                            if (events.incrementAndGet() % perTick == 0) {
                                next += 10_000_000;
                                long wait = next - System.nanoTime();
                                if (wait > 0) {
                                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                                }
                            }
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void send(String topic, String key, byte[] value) {
            producer.send(new ProducerRecord<>(topic, key, value));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static long rssMb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or gone
        }
        return -1;
    }
}
