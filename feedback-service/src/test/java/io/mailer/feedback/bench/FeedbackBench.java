package io.mailer.feedback.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.devstack.DevStack;
import io.mailer.devstack.EmbeddedSqs;
import io.mailer.feedback.intake.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * Throughput benchmark, NOT part of the default build (the class name matches no surefire
 * pattern). Run (after {@code ./mvnw -q -o -pl feedback-service verify}, which builds the exec jar):
 * <pre>
 * ./mvnw -q -o -pl feedback-service test -Dtest=FeedbackBench -Dsurefire.failIfNoSpecifiedTests=false \
 *     [-Dbench.messages=60000] [-Dbench.warmup=20000] [-Dbench.pollers=8] [-Dbench.baselineThreads=16] [-Dbench.jfr=true] \
 *     [-Dbench.serviceEnv=SQS_MAX_IN_FLIGHT=400,...] [-Dbench.serviceArgs="-XX:..."] [-Dbench.jar=other-exec.jar]
 * </pre>
 * ElasticMQ and Kafka run embedded in this JVM, PostgreSQL as its own process; the service runs
 * as a separate JVM from the exec jar so its RSS and CPU time can be read from /proc. Baselines,
 * same run and same queue server: bare SQS receive+delete, once with the service's poller count
 * and once with {@code bench.baselineThreads} threads (what ElasticMQ can serve at most).
 *
 * <p>Reported besides the rate: the load average, the service's CPU seconds (utime+stime) per
 * 1,000 notifications and this JVM's (ElasticMQ + Kafka) over the measured window. (No queue
 * statistics are polled meanwhile: ElasticMQ computes them by scanning the queue inside its queue
 * actor, the very thread every receive and delete goes through.)
 */
class FeedbackBench {

    private static final int MESSAGES = Integer.getInteger("bench.messages", 60_000);
    /**
     * Notifications processed before the measured window opens (they are preloaded too): a fresh
     * JVM spends ~25 % of its CPU in the JIT compilers during the first minute, which a
     * long-running service does not. 0 (default) = the original mode, measured from the first row.
     */
    private static final int WARMUP = Integer.getInteger("bench.warmup", 0);
    private static final int POLLERS = Integer.getInteger("bench.pollers", 8);
    private static final int BASELINE_THREADS = Integer.getInteger("bench.baselineThreads", 16);
    private static final boolean JFR = Boolean.getBoolean("bench.jfr");
    private static final long CLOCK_TICKS = 100; // USER_HZ on Linux

    @Test
    void benchmark() throws Exception {
        try (DevStack stack = DevStack.start(DevStack.Options.defaults().ses(false).partitions(6))) {
            SqsClient sqs = stack.sqs().client();
            String loadBefore = loadAverage();
            String baselineQueue = stack.sqs().createQueue("bench-baseline");
            fill(sqs, baselineQueue, MESSAGES, "base");
            double baseline = drainBare(stack.sqs().endpoint(), baselineQueue, MESSAGES, POLLERS);
            fill(sqs, baselineQueue, MESSAGES, "wide");
            double baselineWide = drainBare(stack.sqs().endpoint(), baselineQueue, MESSAGES, BASELINE_THREADS);

            fill(sqs, stack.queueUrl(), MESSAGES + WARMUP, "run");
            Map<String, String> env = new HashMap<>(stack.env(Map.of("PORT", "0", "SQS_WAIT_SECONDS", "1",
                    "SQS_POLLERS", Integer.toString(POLLERS))));
            env.put("AWS_ACCESS_KEY_ID", "bench");
            env.put("AWS_SECRET_ACCESS_KEY", "bench");
            env.putAll(extraEnv());
            JdbcTemplate jdbc = new JdbcTemplate(new DriverManagerDataSource(stack.postgres().jdbcUrl(),
                    stack.postgres().username(), stack.postgres().password()));
            Process service = startService(env);
            Recording benchJfr = JFR ? startJfr() : null;
            try {
                AtomicLong peakRss = new AtomicLong();
                long t0 = 0;
                long serviceCpu0 = 0;
                long benchCpu0 = 0;
                long postgresCpu0 = 0;
                int atT0 = 0;
                int rows = 0;
                long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
                while (rows < MESSAGES + WARMUP && System.nanoTime() < deadline && service.isAlive()) {
                    peakRss.accumulateAndGet(rssKb(service.pid()), Math::max);
                    rows = eventRows(jdbc);
                    if (t0 == 0 && rows > WARMUP) {
                        t0 = System.nanoTime();
                        atT0 = rows;
                        serviceCpu0 = cpuTicks(service.pid());
                        benchCpu0 = cpuTicks(ProcessHandle.current().pid());
                        postgresCpu0 = postgresTicks(jdbc);
                    }
                    Thread.sleep(100);
                }
                long t1 = System.nanoTime();
                double serviceCpu = (cpuTicks(service.pid()) - serviceCpu0) / (double) CLOCK_TICKS;
                double benchCpu = (cpuTicks(ProcessHandle.current().pid()) - benchCpu0) / (double) CLOCK_TICKS;
                double postgresCpu = (postgresTicks(jdbc) - postgresCpu0) / (double) CLOCK_TICKS;
                peakRss.accumulateAndGet(hwmKb(service.pid()), Math::max);
                double seconds = (t1 - t0) / 1e9;
                double rate = (rows - atT0) / seconds;
                double perThousand = 1000 * serviceCpu / Math.max(1, rows - atT0);
                String report = String.format("""
                        feedback bench: %d notifications (SNS-wrapped Delivery events) after %d warm-up ones, %d pollers, extra env %s
                          load avg  before %s, after %s
                          baseline  bare SQS receive+delete (ElasticMQ), %d threads: %,.0f msg/s
                          baseline  bare SQS receive+delete (ElasticMQ), %d threads: %,.0f msg/s
                          pipeline  SQS -> intake -> Kafka -> projector -> PostgreSQL: %,.0f notifications/s \
                        (%.0f %% of the %d-thread baseline, %.0f %% of the best), %d event rows in %.1f s
                          cpu       service %.1f s = %.2f CPU-s per 1,000 notifications; bench JVM (ElasticMQ + Kafka) %.1f s \
                        = %.2f per 1,000; PostgreSQL %.1f s = %.2f per 1,000
                          service   peak RSS %,d MB (VmHWM, -Xmx320m)
                        """, MESSAGES, WARMUP, POLLERS, extraEnv(), loadBefore, loadAverage(),
                        POLLERS, baseline, BASELINE_THREADS, baselineWide,
                        rate, 100 * rate / baseline, POLLERS, 100 * rate / Math.max(baseline, baselineWide), rows,
                        seconds,
                        serviceCpu, perThousand, benchCpu, 1000 * benchCpu / Math.max(1, rows - atT0), postgresCpu,
                        1000 * postgresCpu / Math.max(1, rows - atT0), peakRss.get() / 1024);
                System.out.println(report);
                Files.writeString(Path.of("target", "feedback-bench.txt"), report);
                assertThat(rows).isEqualTo(MESSAGES + WARMUP);
            } finally {
                if (benchJfr != null) {
                    benchJfr.dump(Path.of("target", "feedback-bench-harness.jfr"));
                    benchJfr.close();
                }
                service.destroy();
                service.waitFor();
            }
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
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
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
