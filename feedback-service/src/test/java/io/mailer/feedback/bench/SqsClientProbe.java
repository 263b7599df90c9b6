package io.mailer.feedback.bench;

import io.mailer.devstack.EmbeddedSqs;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

/**
 * ElasticMQ and SDK client probe, NOT part of the default build (see the module README):
 * <pre>
 * ./mvnw -q -o -pl feedback-service test -Dtest=SqsClientProbe -Dsurefire.failIfNoSpecifiedTests=false \
 *     [-Dprobe.modes=depth,clients] [-Dprobe.n=10000] [-Dprobe.clients=netty,url,apache5,...]
 * </pre>
 * Eight threads drain a preloaded queue with receive(10) + delete-batch; per run it prints the
 * messages per receive, ElasticMQ's CPU per message (its pekko/scheduler threads, via
 * ThreadMXBean) and the client's CPU per SQS call (the calling threads, plus Netty's event loops
 * and the SDK's async-response threads for the async client). "depth": the same at 3,000 and
 * 30,000 queued (is a receive O(queue)?); "clients": async on Netty vs blocking UrlConnection vs
 * blocking Apache 5, with and without the SQS MD5 checksum validation. Lines start with PROBE in
 * target/surefire-reports/io.mailer.feedback.bench.SqsClientProbe-output.txt.
 */
class SqsClientProbe {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    interface Sqs {
        List<Message> receive(ReceiveMessageRequest r);

        void delete(DeleteMessageBatchRequest r);
    }

    @Test
    void probe() throws Exception {
        try (EmbeddedSqs server = EmbeddedSqs.start()) {
            String endpoint = server.endpoint();
            for (String mode : System.getProperty("probe.modes", "depth,clients").split(",")) {
                if (mode.equals("depth")) {
                    for (int depth : new int[] {3_000, 3_000, 30_000, 3_000}) {
                        String q = server.createQueue("depth-" + depth + "-" + System.nanoTime());
                        FeedbackBench.fill(server.client(), q, depth, "depth");
                        run("url-sync depth " + depth, q, depth, 8, () -> sync(endpoint, "url", true));
                    }
                } else {
                    int n = Integer.getInteger("probe.n", 10_000);
                    String[] clients = System.getProperty("probe.clients", "netty,url,apache5,netty,url,apache5,url-nomd5,apache5-nomd5,netty-nomd5").split(",");
                    for (String c : clients) {
                        String q = server.createQueue("client-" + c);
                        FeedbackBench.fill(server.client(), q, n, c);
                        run(c, q, n, 8, () -> c.equals("netty") ? async(endpoint, true)
                                : c.equals("netty-nomd5") ? async(endpoint, false)
                                : sync(endpoint, c.replace("-nomd5", ""), !c.endsWith("-nomd5")));
                    }
                }
            }
        }
    }

    private static void run(String label, String q, int n, int threads, Supplier<Sqs> factory) throws Exception {
        List<Sqs> clients = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            clients.add(factory.get());
        }
        Map<Long, long[]> before = cpu();
        AtomicInteger left = new AtomicInteger(n);
        AtomicLong receives = new AtomicLong();
        AtomicLong shortReceives = new AtomicLong();
        AtomicLong received = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> new Thread(r, "probe-worker"));
        long t0 = System.nanoTime();
        List<Future<?>> done = new ArrayList<>();
        for (Sqs sqs : clients) {
            done.add(pool.submit(() -> {
                while (left.get() > 0) {
                    List<Message> ms = sqs.receive(ReceiveMessageRequest.builder().queueUrl(q).maxNumberOfMessages(10)
                            .waitTimeSeconds(1).visibilityTimeout(30).build());
                    receives.incrementAndGet();
                    if (ms.isEmpty()) {
                        continue;
                    }
                    received.addAndGet(ms.size());
                    if (ms.size() < 10) {
                        shortReceives.incrementAndGet();
                    }
                    List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>();
                    for (int i = 0; i < ms.size(); i++) {
                        entries.add(DeleteMessageBatchRequestEntry.builder().id(Integer.toString(i))
                                .receiptHandle(ms.get(i).receiptHandle()).build());
                    }
                    sqs.delete(DeleteMessageBatchRequest.builder().queueUrl(q).entries(entries).build());
                    left.addAndGet(-ms.size());
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        Map<Long, long[]> after = cpu();
        pool.shutdown();
        Map<String, Double> byGroup = new TreeMap<>();
        double server = 0;
        double client = 0;
        for (Map.Entry<Long, long[]> e : after.entrySet()) {
            long[] b = before.get(e.getKey());
            double ms = (e.getValue()[0] - (b == null ? 0 : b[0])) / 1e6;
            String name = names.get(e.getKey()).replaceAll("[0-9]+", "#");
            byGroup.merge(name, ms, Double::sum);
            if (name.startsWith("probe") || name.contains("aws") || name.contains("sdk") || name.contains("Netty")) {
                client += ms;
            } else {
                server += ms;
            }
        }
        long calls = 2 * (received.get() / 10) + (receives.get() - received.get() / 10);
        System.out.printf("PROBE %-22s %6d msgs %6.0f msg/s  receives %d (%d short, %.2f msgs/receive)  "
                        + "server %.3f ms CPU/msg  client %.3f ms CPU/call (%.3f ms/msg)  load %s%n",
                label, received.get(), received.get() / secs, receives.get(), shortReceives.get(),
                received.get() / (double) receives.get(), server / received.get(), client / calls,
                client / received.get(), java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim());
        byGroup.entrySet().stream().filter(e -> e.getValue() > 50)
                .forEach(e -> System.out.printf("PROBE     %-50s %8.0f ms%n", e.getKey(), e.getValue()));
    }

    private static final Map<Long, String> names = new HashMap<>();

    private static Map<Long, long[]> cpu() {
        Map<Long, long[]> m = new HashMap<>();
        for (var info : THREADS.dumpAllThreads(false, false)) {
            long c = THREADS.getThreadCpuTime(info.getThreadId());
            if (c >= 0) {
                m.put(info.getThreadId(), new long[] {c});
                names.put(info.getThreadId(), info.getThreadName());
            }
        }
        return m;
    }

    private static Sqs sync(String endpoint, String http, boolean md5) {
        var b = SqsClient.builder().endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
                .checksumValidationEnabled(md5);
        if (http.equals("apache5")) {
            b.httpClientBuilder(Apache5HttpClient.builder());
        } else {
            b.httpClientBuilder(UrlConnectionHttpClient.builder().socketTimeout(Duration.ofSeconds(30)));
        }
        SqsClient c = b.build();
        return new Sqs() {
            public List<Message> receive(ReceiveMessageRequest r) {
                return c.receiveMessage(r).messages();
            }

            public void delete(DeleteMessageBatchRequest r) {
                c.deleteMessageBatch(r);
            }
        };
    }

    private static Sqs async(String endpoint, boolean md5) {
        SqsAsyncClient c = SqsAsyncClient.builder().endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
                .checksumValidationEnabled(md5)
                .httpClientBuilder(NettyNioAsyncHttpClient.builder()).build();
        return new Sqs() {
            public List<Message> receive(ReceiveMessageRequest r) {
                return c.receiveMessage(r).join().messages();
            }

            public void delete(DeleteMessageBatchRequest r) {
                c.deleteMessageBatch(r).join();
            }
        };
    }
}
