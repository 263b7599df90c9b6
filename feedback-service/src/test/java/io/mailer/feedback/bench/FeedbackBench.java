package io.mailer.feedback.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.devstack.DevStack;
import io.mailer.devstack.EmbeddedSqs;
import io.mailer.feedback.intake.Fixtures;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import jdk.jfr.Configuration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * Throughput benchmark, NOT part of the default build (the class name matches no surefire
 * pattern). Run (after {@code ./mvnw -q -o -pl feedback-service package -DskipTests}, which builds
 * the exec jar):
 * <pre>
 * ./mvnw -q -o -pl feedback-service test -Dtest=FeedbackBench -Dsurefire.failIfNoSpecifiedTests=false \
 *     [-Dbench.messages=100000] [-Dbench.warmup=500000] [-Dbench.baselineWarmup=100000] [-Dbench.pollers=8] \
 *     [-Dbench.baselineThreads=16] [-Dbench.jfr=true] [-Dbench.serviceEnv=SQS_MAX_IN_FLIGHT=1000,...] \
 *     [-Dbench.serviceArgs="-XX:..."] [-Dbench.jar=other-exec.jar] [-Dbench.java=/path/to/bin/java]
 * </pre>
 * ElasticMQ and Kafka run embedded in this JVM, PostgreSQL as its own process; the service runs
 * as a separate JVM from the exec jar so its RSS and CPU time can be read from /proc. Baselines,
 * same run and same queue server, after a warm-up drain: bare SQS receive+delete, once with the
 * service's poller count and once with {@code bench.baselineThreads} threads.
 *
 * <p>The measured window is the intake's: it opens when the service has published its
 * {@code bench.warmup}-th notification to delivery-events (end offsets, read through the admin
 * client) and closes when it has published the last. The pipeline figure counts only the event
 * rows PostgreSQL received inside that window (at most the intake's count), so a projector that
 * lags is not flattered by draining its backlog after the intake has finished. CPU seconds
 * (utime+stime) of the service, of this JVM (ElasticMQ + Kafka) and of PostgreSQL over the same
 * window, and per thread group of the service and of this JVM.
 *
 * <p>The observer must not load the cores it measures. No queue statistics are polled: ElasticMQ
 * computes them by scanning the queue inside its queue actor, the very thread every receive and
 * delete goes through. PostgreSQL is watched through one connection for the whole run (a
 * connection per look forked a backend and ran a SCRAM handshake several times a second). The
 * intake's progress is looked at rarely mid-window and often near its edges; event rows are not
 * counted inside the window at all: each edge records PostgreSQL's clock, and after the run the
 * rows are counted by {@code created_at} (their projector transaction's start) against it.
 */
class FeedbackBench {

    private static final int MESSAGES = Integer.getInteger("bench.messages", 100_000);
    /**
     * Notifications processed before the measured window opens (they are preloaded too). A fresh
     * service JVM on this loaded 2-core machine still spends ~25 % of its CPU in the C2 compiler
     * 90-110 s after start (150,000-250,000 notifications in; first tier-4 compiles of hot methods
     * such as the mapper were still queued), which a long-running service does not. After 300,000
     * the compiler still took 0.05 CPU-ms per notification inside the window (13 % of the whole
     * path; ~200 tier-4 compiles per 10 s, -XX:+PrintCompilation), after 500,000 0.011. 0 = the
     * original mode, measured from the first notification.
     */
    private static final int WARMUP = Integer.getInteger("bench.warmup", 500_000);
    /** Bare receive+delete messages drained before the baselines are measured (ElasticMQ's JIT warm-up). */
    private static final int BASELINE_WARMUP = Integer.getInteger("bench.baselineWarmup", 100_000);
    /** The service's SQS_POLLERS unless {@code -Dbench.pollers} overrides it; also the first baseline's threads. */
    private static final boolean POLLERS_SET = System.getProperty("bench.pollers") != null;
    private static final int POLLERS = Integer.getInteger("bench.pollers", 8);
    private static final int BASELINE_THREADS = Integer.getInteger("bench.baselineThreads", 16);
    private static final boolean JFR = Boolean.getBoolean("bench.jfr");
    private static final long CLOCK_TICKS = 100; // USER_HZ on Linux

    @Test
    void benchmark() throws Exception {
        try (DevStack stack = DevStack.start(DevStack.Options.defaults().ses(false).partitions(6));
                Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                        stack.kafka().bootstrapServers()))) {
            SqsClient sqs = stack.sqs().client();
            String loadBefore = loadAverage();
            long phase = System.nanoTime();
            String baselineQueue = stack.sqs().createQueue("bench-baseline");
            // ElasticMQ is as cold as a fresh service: warm it (and the client) before measuring it
            fill(sqs, baselineQueue, BASELINE_WARMUP, "warm");
            drainBare(stack.sqs().endpoint(), baselineQueue, BASELINE_WARMUP, BASELINE_THREADS);
            fill(sqs, baselineQueue, MESSAGES, "base");
            double baseline = drainBare(stack.sqs().endpoint(), baselineQueue, MESSAGES, POLLERS);
            fill(sqs, baselineQueue, MESSAGES, "wide");
            double baselineWide = drainBare(stack.sqs().endpoint(), baselineQueue, MESSAGES, BASELINE_THREADS);
            double baselineSeconds = (System.nanoTime() - phase) / 1e9;

            phase = System.nanoTime();
            fill(sqs, stack.queueUrl(), MESSAGES + WARMUP, "run");
            double fillSeconds = (System.nanoTime() - phase) / 1e9;
            int port = freePort();
            Map<String, String> env = new HashMap<>(stack.env(Map.of("PORT", Integer.toString(port),
                    "SQS_WAIT_SECONDS", "1")));
            env.put("AWS_ACCESS_KEY_ID", "bench");
            env.put("AWS_SECRET_ACCESS_KEY", "bench");
            if (POLLERS_SET) {
                env.put("SQS_POLLERS", Integer.toString(POLLERS));
            }
            env.putAll(extraEnv());
            // one connection for the whole run: a connection per look would fork a PostgreSQL backend
            // (and run a SCRAM handshake on both sides) several times a second, on the measured cores
            SingleConnectionDataSource observer = new SingleConnectionDataSource(stack.postgres().jdbcUrl(),
                    stack.postgres().username(), stack.postgres().password(), true);
            JdbcTemplate jdbc = new JdbcTemplate(observer);
            PublishedCounter published = new PublishedCounter(admin, stack.topics().deliveryEvents.name());
            int total = MESSAGES + WARMUP;
            Process service = startService(env);
            Recording benchJfr = JFR ? startJfr() : null;
            try {
                AtomicLong peakRss = new AtomicLong();
                long started = System.nanoTime();
                Snapshot open = null;
                Snapshot close = null;
                Rate rate = new Rate();
                boolean scraped = false;
                double roomOpen = Double.NaN;
                double roomClose = Double.NaN;
                int rows = 0;
                long deadline = started + Duration.ofMinutes(15).toNanos();
                while (rows < total && System.nanoTime() < deadline && service.isAlive()) {
                    peakRss.accumulateAndGet(rssKb(service.pid()), Math::max);
                    long intake = published.count();
                    // the window is the intake's: from its WARMUP-th to its last notification published
                    if (!scraped && intake > 0) {
                        roomWaitSeconds(port); // the first scrape is costly (class loading, JIT): not in the window
                        scraped = true;
                    }
                    if (open == null && intake >= WARMUP) {
                        // the scrapes stay outside the window: before the opening CPU readings, after the closing ones
                        roomOpen = roomWaitSeconds(port);
                        open = Snapshot.take(published, service, jdbc);
                    }
                    if (open != null && close == null && intake >= total) {
                        close = Snapshot.take(published, service, jdbc);
                        roomClose = roomWaitSeconds(port);
                    }
                    if (close != null) {
                        rows = eventRows(jdbc); // a table scan: only once the window is closed
                    }
                    Thread.sleep(nextLook(open == null ? WARMUP : total, intake, rate.update(intake)));
                }
                long drained = System.nanoTime();
                peakRss.accumulateAndGet(hwmKb(service.pid()), Math::max);
                assertThat(rows).as("event rows projected").isEqualTo(total);
                assertThat(close).as("intake window closed").isNotNull();
                double seconds = (close.nanos - open.nanos) / 1e9;
                long intakeN = close.published - open.published;
                // rows by their created_at (the projector's transaction start) against PostgreSQL's own
                // clock at the window's edges, counted after the run: no scan runs inside the window
                long openRows = rowsBefore(jdbc, open.dbTime);
                long closeRows = rowsBefore(jdbc, close.dbTime);
                long projectedN = closeRows - openRows;
                double intakeRate = intakeN / seconds;
                double projectedRate = projectedN / seconds;
                double pipeline = Math.min(intakeN, projectedN) / seconds;
                double per = 1000.0 / Math.max(1, Math.min(intakeN, projectedN)) / CLOCK_TICKS;
                String report = String.format("""
                        feedback bench: %,d notifications (SNS-wrapped Delivery events) measured after %,d warm-up ones; \
                        service env %s
                          load avg  before %s, after %s
                          baseline  bare SQS receive+delete (ElasticMQ, after %,d warm-up messages), %d threads: %,.0f msg/s
                          baseline  bare SQS receive+delete (ElasticMQ), %d threads: %,.0f msg/s
                          intake    SQS -> intake -> Kafka (acked): %,.0f notifications/s over %.1f s
                          projector Kafka -> PostgreSQL event rows in the same window: %,.0f rows/s \
                        (lag %,d rows at the start, %,d at the end)
                          pipeline  SQS -> intake -> Kafka -> projector -> PostgreSQL: %,.0f notifications/s \
                        (%.0f %% of the %d-thread baseline, %.0f %% of the best)
                          cpu       per 1,000 notifications: service %.2f CPU-s, bench JVM (ElasticMQ + Kafka) %.2f, \
                        PostgreSQL %.2f; total %.2f = a ceiling of %,.0f notifications/s on %d cores
                          intake    its pollers waited %.1f s for room under SQS_MAX_IN_FLIGHT inside the window \
                        (%.0f %% of their time)
                          threads   CPU-ms per notification, service: %s
                          threads   CPU-ms per notification, bench JVM: %s
                          service   peak RSS %,d MB (VmHWM, -Xmx320m); all %,d rows projected %.1f s after the window
                          phases    baselines %.0f s, pre-fill %.0f s, service start to window %.0f s
                        """, MESSAGES, WARMUP, env.entrySet().stream()
                                .filter(e -> e.getKey().matches("SQS_(POLLERS|MAX_IN_FLIGHT|WAIT_SECONDS)"))
                                .sorted(Map.Entry.comparingByKey()).toList(),
                        loadBefore, loadAverage(), BASELINE_WARMUP, POLLERS, baseline, BASELINE_THREADS, baselineWide,
                        intakeRate, seconds, projectedRate, open.published - openRows, close.published - closeRows,
                        pipeline, 100 * pipeline / baseline, POLLERS,
                        100 * pipeline / Math.max(baseline, baselineWide),
                        per * (close.serviceTicks - open.serviceTicks), per * (close.benchTicks - open.benchTicks),
                        per * (close.postgresTicks - open.postgresTicks), per * close.allTicksSince(open),
                        1000 * Runtime.getRuntime().availableProcessors() / Math.max(1e-9, per * close.allTicksSince(open)),
                        Runtime.getRuntime().availableProcessors(),
                        roomClose - roomOpen, 100 * (roomClose - roomOpen) / (POLLERS * seconds),
                        topThreads(open.serviceThreads, close.serviceThreads, Math.min(intakeN, projectedN)),
                        topThreads(open.benchThreads, close.benchThreads, Math.min(intakeN, projectedN)),
                        peakRss.get() / 1024, total,
                        (drained - close.nanos) / 1e9, baselineSeconds, fillSeconds, (open.nanos - started) / 1e9);
                System.out.println(report);
                Files.writeString(Path.of("target", "feedback-bench.txt"), report);
            } finally {
                observer.destroy();
                if (benchJfr != null) {
                    benchJfr.dump(Path.of("target", "feedback-bench-harness.jfr"));
                    benchJfr.close();
                }
                service.destroy();
                service.waitFor();
            }
        }
    }

    /**
     * How long to sleep before looking again: half the estimated time to {@code target}, between
     * 20 ms and 1 s. Looking costs CPU on the measured cores (admin requests, /proc reads), so it is
     * rare mid-window, and frequent near the edges, which must be caught on time.
     */
    private static long nextLook(long target, long done, double perMs) {
        if (done >= target || perMs <= 0) {
            return 200;
        }
        return Math.max(20, Math.min(1000, (long) ((target - done) / perMs / 2)));
    }

    /** Notifications per millisecond between the last two looks. */
    private static final class Rate {
        private long lastCount = -1;
        private long lastNanos;
        private double perMs;

        double update(long count) {
            long now = System.nanoTime();
            if (lastCount >= 0 && now > lastNanos && count > lastCount) {
                perMs = (count - lastCount) / ((now - lastNanos) / 1e6);
            }
            lastCount = count;
            lastNanos = now;
            return perMs;
        }
    }

    /** Progress and CPU counters at one instant of the run. */
    private record Snapshot(long nanos, Timestamp dbTime, long published, long serviceTicks, long benchTicks,
            long postgresTicks, Map<String, Long> serviceThreads, Map<String, Long> benchThreads) {

        /** The count, the instant and PostgreSQL's clock first, back to back; then the CPU readings. */
        static Snapshot take(PublishedCounter counter, Process service, JdbcTemplate jdbc) throws Exception {
            long published = counter.count();
            long nanos = System.nanoTime();
            Timestamp dbTime = jdbc.queryForObject("SELECT clock_timestamp()", Timestamp.class);
            return new Snapshot(nanos, dbTime, published, cpuTicks(service.pid()),
                    cpuTicks(ProcessHandle.current().pid()), FeedbackBench.postgresTicks(jdbc),
                    threadTicks(service.pid()), threadTicks(ProcessHandle.current().pid()));
        }

        long allTicksSince(Snapshot from) {
            return serviceTicks - from.serviceTicks + benchTicks - from.benchTicks + postgresTicks - from.postgresTicks;
        }
    }

    /**
     * Notifications the intake has published: the sum of delivery-events' end offsets (one record
     * per Delivery notification; the producer is not transactional, so offsets are records).
     */
    private static final class PublishedCounter {
        private final Admin admin;
        private final Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();

        PublishedCounter(Admin admin, String topic) throws Exception {
            this.admin = admin;
            admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                    .forEach(p -> partitions.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        }

        long count() throws Exception {
            return admin.listOffsets(partitions).all().get().values().stream()
                    .mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
        }
    }

    /** {@code -Dbench.serviceEnv=SQS_POLLERS=12,OTHER=x}: extra environment for the service. */
    private static Map<String, String> extraEnv() {
        Map<String, String> env = new HashMap<>();
        for (String pair : System.getProperty("bench.serviceEnv", "").split(",")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                env.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
        }
        return env;
    }

    private static Recording startJfr() throws Exception {
        Recording recording = new Recording(Configuration.getConfiguration("profile"));
        recording.start();
        return recording;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The service's mailer_feedback_poller_room_wait_seconds_total, NaN when unreadable. */
    private static double roomWaitSeconds(int port) {
        try {
            HttpResponse<Stream<String>> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + port + "/actuator/prometheus")).build(),
                    HttpResponse.BodyHandlers.ofLines());
            return metrics.body().filter(l -> l.startsWith("mailer_feedback_poller_room_wait_seconds_total"))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Double.NaN;
        }
    }

    private static long rowsBefore(JdbcTemplate jdbc, Timestamp time) {
        Long n = jdbc.queryForObject("SELECT count(*) FROM event WHERE created_at < ?", Long.class, time);
        return n == null ? 0 : n;
    }

    private static int eventRows(JdbcTemplate jdbc) {
        try {
            Integer n = jdbc.queryForObject("SELECT count(*) FROM event", Integer.class);
            return n == null ? 0 : n;
        } catch (RuntimeException e) {
            return 0; // table not created yet (Liquibase runs at service start)
        }
    }

    private static Process startService(Map<String, String> env) throws IOException {
        // -Dbench.jar=/path/to/other-exec.jar compares another build on the same harness
        Path jar = System.getProperty("bench.jar") != null ? Path.of(System.getProperty("bench.jar"))
                : Files.list(Path.of("target")).filter(p -> p.toString().endsWith("-exec.jar")).findFirst()
                        .orElseThrow(() -> new IllegalStateException("run mvn -pl feedback-service verify first"));
        List<String> command = new ArrayList<>(List.of(
                // -Dbench.java=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java runs the service on another JDK
                System.getProperty("bench.java", Path.of(System.getProperty("java.home"), "bin", "java").toString()),
                "-Xmx320m", "-XX:MaxDirectMemorySize=64m", "-XX:+UseSerialGC", "-Xss512k"));
        String extra = System.getProperty("bench.serviceArgs", "").trim();
        if (!extra.isEmpty()) {
            command.addAll(Arrays.asList(extra.split("\\s+")));
        }
        if (JFR) {
            command.add("-XX:StartFlightRecording=filename=target/feedback-bench-service.jfr,settings=profile,"
                    + "dumponexit=true");
        }
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        pb.redirectErrorStream(true).redirectOutput(Path.of("target", "feedback-bench-service.log").toFile());
        return pb.start();
    }

    /** Sends {@code n} distinct SNS-wrapped Delivery notifications in batches of 10 from 4 threads. */
    static void fill(SqsClient sqs, String queueUrl, int n, String tag) throws Exception {
        String delivery = Fixtures.text("configuration-set/delivery.json");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> done = new ArrayList<>();
        for (int start = 0; start < n; start += 10) {
            int from = start;
            done.add(pool.submit(() -> {
                List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
                for (int i = from; i < Math.min(n, from + 10); i++) {
                    String batchId = tag + "-" + (i / 1000);
                    String ses = delivery.replace(Fixtures.SEND_ID, batchId + "-" + (i % 1000))
                            .replace(Fixtures.BATCH_ID, batchId)
                            .replace(Fixtures.SES_MESSAGE_ID, tag + "-ses-" + i);
                    entries.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(i - from))
                            .messageBody(Fixtures.snsEnvelope(ses, tag + "-sns-" + i)).build());
                }
                sqs.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
    }

    /**
     * Messages/s of bare receive (10, long poll) + delete-batch loops over {@code n} messages,
     * one SDK client (own connection) per thread so the client is not the limit.
     */
    private static double drainBare(String endpoint, String queueUrl, int n, int threads) throws Exception {
        AtomicInteger left = new AtomicInteger(n);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<SqsClient> clients = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            clients.add(EmbeddedSqs.newClient(endpoint));
        }
        long t0 = System.nanoTime();
        List<Future<?>> done = new ArrayList<>();
        for (SqsClient sqs : clients) {
            done.add(pool.submit(() -> {
                while (left.get() > 0) {
                    List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
                            .waitTimeSeconds(1)).messages();
                    if (messages.isEmpty()) {
                        continue;
                    }
                    List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>();
                    for (int i = 0; i < messages.size(); i++) {
                        entries.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(i))
                                .receiptHandle(messages.get(i).receiptHandle()).build());
                    }
                    sqs.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
                    left.addAndGet(-messages.size());
                }
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        double rate = n / ((System.nanoTime() - t0) / 1e9);
        pool.shutdown();
        clients.forEach(SqsClient::close);
        return rate;
    }

    /** utime + stime per thread group (the kernel's 15-character thread name, digits as #), in ticks. */
    private static Map<String, Long> threadTicks(long pid) {
        Map<String, Long> ticks = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+", "#");
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks.merge(name, Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            return ticks;
        }
        return ticks;
    }

    /**
     * The thread groups that used the most CPU between two snapshots, as CPU-ms per notification
     * (threads that ended meanwhile are missing).
     */
    private static String topThreads(Map<String, Long> from, Map<String, Long> to, long notifications) {
        StringBuilder out = new StringBuilder();
        to.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - from.getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(8)
                .forEach(e -> out.append(String.format("%s%s %.3f", out.length() == 0 ? "" : ", ", e.getKey().trim(),
                        e.getValue() * 1000.0 / CLOCK_TICKS / Math.max(1, notifications))));
        return out.toString();
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    /** utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/pid/stat). */
    private static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * utime + stime of the embedded PostgreSQL: the postmaster (the parent of this connection's
     * backend) and every process it forked (backends, WAL writer, checkpointer...); processes that
     * exit meanwhile are not counted (the service's pooled connections do not).
     */
    private static long postgresTicks(JdbcTemplate jdbc) {
        try {
            // looked up while the connection (hence its backend) is open
            Optional<ProcessHandle> postmaster = jdbc.execute((ConnectionCallback<Optional<ProcessHandle>>) c -> {
                try (var st = c.createStatement(); var rs = st.executeQuery("SELECT pg_backend_pid()")) {
                    rs.next();
                    return ProcessHandle.of(rs.getLong(1)).flatMap(ProcessHandle::parent);
                }
            });
            return postmaster.stream()
                    .flatMap(pm -> Stream.concat(Stream.of(pm), pm.descendants()))
                    .mapToLong(p -> cpuTicks(p.pid())).sum();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private static long rssKb(long pid) {
        return status(pid, "VmRSS:");
    }

    private static long hwmKb(long pid) {
        return status(pid, "VmHWM:");
    }

    private static long status(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}
