package io.mailer.feedback.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.devstack.DevStack;
import io.mailer.feedback.intake.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * Throughput benchmark, NOT part of the default build (the class name matches no surefire
 * pattern). Run (after {@code mvn -q -o -pl feedback-service verify}, which builds the exec jar):
 * <pre>
 * mvn -q -o -pl feedback-service test -Dtest=FeedbackBench -Dsurefire.failIfNoSpecifiedTests=false \
 *     [-Dbench.messages=60000] [-Dbench.pollers=8]
 * </pre>
 * ElasticMQ, Kafka and PostgreSQL run embedded (PostgreSQL as its own process); the service runs
 * as a separate JVM from the exec jar so its RSS can be read from /proc. Baseline, same run and
 * same queue server: bare SQS receive+delete with the same number of threads and nothing else.
 */
class FeedbackBench {

    private static final int MESSAGES = Integer.getInteger("bench.messages", 60_000);
    private static final int POLLERS = Integer.getInteger("bench.pollers", 8);

    @Test
    void benchmark() throws Exception {
        try (DevStack stack = DevStack.start(DevStack.Options.defaults().ses(false).partitions(6))) {
            SqsClient sqs = stack.sqs().client();
            String baselineQueue = stack.sqs().createQueue("bench-baseline");
            fill(sqs, baselineQueue, MESSAGES, "base");
            double baseline = drainBare(sqs, baselineQueue, MESSAGES);

            fill(sqs, stack.queueUrl(), MESSAGES, "run");
            Map<String, String> env = new HashMap<>(stack.env(Map.of("PORT", "0", "SQS_WAIT_SECONDS", "1",
                    "SQS_POLLERS", Integer.toString(POLLERS))));
            env.put("AWS_ACCESS_KEY_ID", "bench");
            env.put("AWS_SECRET_ACCESS_KEY", "bench");
            JdbcTemplate jdbc = new JdbcTemplate(new DriverManagerDataSource(stack.postgres().jdbcUrl(),
                    stack.postgres().username(), stack.postgres().password()));
            Process service = startService(env);
            try {
                AtomicLong peakRss = new AtomicLong();
                long t0 = 0;
                int atT0 = 0;
                int rows = 0;
                long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
                while (rows < MESSAGES && System.nanoTime() < deadline && service.isAlive()) {
                    peakRss.accumulateAndGet(rssKb(service.pid()), Math::max);
                    rows = eventRows(jdbc);
                    if (t0 == 0 && rows > 0) {
                        t0 = System.nanoTime();
                        atT0 = rows;
                    }
                    Thread.sleep(100);
                }
                long t1 = System.nanoTime();
                peakRss.accumulateAndGet(hwmKb(service.pid()), Math::max);
                double rate = (rows - atT0) / ((t1 - t0) / 1e9);
                String report = String.format("""
                        feedback bench: %d notifications (SNS-wrapped Delivery events), %d pollers
                          baseline  bare SQS receive+delete (ElasticMQ): %,.0f msg/s
                          pipeline  SQS -> intake -> Kafka -> projector -> PostgreSQL: %,.0f notifications/s \
                        (%.0f %% of baseline), %d event rows
                          service   peak RSS %,d MB (VmHWM, -Xmx320m)
                        """, MESSAGES, POLLERS, baseline, rate, 100 * rate / baseline, rows, peakRss.get() / 1024);
                System.out.println(report);
                Files.writeString(Path.of("target", "feedback-bench.txt"), report);
                assertThat(rows).isEqualTo(MESSAGES);
            } finally {
                service.destroy();
                service.waitFor();
            }
        }
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
        Path jar = Files.list(Path.of("target")).filter(p -> p.toString().endsWith("-exec.jar")).findFirst()
                .orElseThrow(() -> new IllegalStateException("run mvn -pl feedback-service verify first"));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx320m", "-XX:MaxDirectMemorySize=64m", "-XX:+UseSerialGC", "-Xss512k", "-jar", jar.toString());
        pb.environment().putAll(env);
        pb.redirectErrorStream(true).redirectOutput(Path.of("target", "feedback-bench-service.log").toFile());
        return pb.start();
    }

    /** Sends {@code n} distinct SNS-wrapped Delivery notifications in batches of 10 from 4 threads. */
    private static void fill(SqsClient sqs, String queueUrl, int n, String tag) throws Exception {
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

    /** Messages/s of a bare receive (10, long poll) + delete-batch loop over {@code n} messages. */
    private static double drainBare(SqsClient sqs, String queueUrl, int n) throws Exception {
        AtomicInteger left = new AtomicInteger(n);
        ExecutorService pool = Executors.newFixedThreadPool(POLLERS);
        long t0 = System.nanoTime();
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < POLLERS; t++) {
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
        pool.shutdown();
        return n / ((System.nanoTime() - t0) / 1e9);
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
