package io.mailer.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailer.devstack.EmbeddedKafka;
import io.mailer.devstack.SesSandbox;
import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.EventType;
import io.mailer.schemas.events.SendRequest;
import io.mailer.schemas.kafka.Topics;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two dispatchers share a 20,000-recipient batch; one is a child JVM killed with SIGKILL in the
 * middle. The other takes its partitions over: nobody is missing, and the duplicates (sends SES
 * accepted but the dead replica had not recorded in the ledger) stay within its duplicate window
 * ({@code DUPLICATE_WINDOW}), on the default send mode.
 */
class DispatcherCrashIT {

    private static final int RECIPIENTS = 20_000;
    private static final int CHILD_CONCURRENCY = 16;
    /** The killed replica's DUPLICATE_WINDOW: sends it may have had accepted by SES but not in the ledger. */
    private static final int CHILD_WINDOW = 200;
    private static final String PREFIX = "crash.";

    private EmbeddedKafka kafka;
    private SesSandbox ses;
    private Process child;
    private ConfigurableApplicationContext survivor;

    @AfterEach
    void stopEverything() {
        if (child != null) {
            child.destroyForcibly();
        }
        if (survivor != null) {
            survivor.close();
        }
        if (ses != null) {
            ses.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void shouldSendEveryRecipientWithDuplicatesWithinTheDuplicateWindowWhenAReplicaIsKilled() throws Exception {
        // Given two dispatchers, one of them a separate process, sharing the sends partitions
        System.setProperty("aws.accessKeyId", "test");
        System.setProperty("aws.secretAccessKey", "test");
        kafka = EmbeddedKafka.start();
        ses = SesSandbox.start(SesSandbox.Config.defaults().maxSendRate(100_000).publishEvents(false));
        ses.latency(Duration.ofMillis(2));
        Topics topics = new Topics(PREFIX);
        kafka.createTopics(topics, 6);
        int childPort = freePort();
        child = startChild(childPort);
        await().atMost(Duration.ofSeconds(120)).ignoreExceptions().until(() -> ready(childPort));
        Map<String, String> env = env("0");
        env.put("WORKER_CONCURRENCY", "16");
        survivor = DispatcherApplication.start(env);

        // When a 20,000-recipient batch is sent and the child is killed in the middle of it
        MessageContent message = new MessageContent("news@example.com", null, "Hi", "<p>Hi</p>", "Hi",
                Map.of(), Map.of(), null, true);
        try (KafkaProducer<String, SendRequest> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 20), new StringSerializer(), topics.sends.valueSerde().serializer())) {
            for (int i = 0; i < RECIPIENTS; i++) {
                SendRequest send = Fixtures.send("crash", i, "r" + i + "@example.com", Map.of(), message);
                producer.send(new ProducerRecord<>(topics.sends.name(), send.sendId(), send));
            }
        }
        await().atMost(Duration.ofSeconds(120)).until(() -> ses.sentCount() >= RECIPIENTS / 3);
        child.destroyForcibly().waitFor();
        long sentAtKill = ses.sentCount();

        // Then every recipient gets the message and every send has its SENT event
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1))
                .until(() -> distinctRecipients() == RECIPIENTS);
        Set<String> sentEvents = new HashSet<>();
        try (TopicReader<DeliveryEvent> events = new TopicReader<>(kafka.bootstrapServers(),
                topics.deliveryEvents.name(), topics.deliveryEvents.valueSerde().deserializer())) {
            await().atMost(Duration.ofSeconds(120)).until(() -> {
                events.values().stream().filter(e -> e.type() == EventType.SENT)
                        .forEach(e -> sentEvents.add(e.sendId()));
                return sentEvents.size() == RECIPIENTS;
            });
            assertThat(events.values()).extracting(DeliveryEvent::type).containsOnly(EventType.SENT);
        }
        // and the duplicates are counted and bounded by the killed replica's duplicate window
        long duplicates = ses.sentCount() - RECIPIENTS;
        Map<String, Long> perRecipient = ses.sent().stream()
                .collect(Collectors.groupingBy(m -> m.to().get(0), Collectors.counting()));
        System.out.printf("crash test: killed after %d SES calls; %d calls for %d recipients, duplicates %d%n",
                sentAtKill, ses.sentCount(), RECIPIENTS, duplicates);
        assertThat(perRecipient).hasSize(RECIPIENTS);
        assertThat(perRecipient.values()).allMatch(n -> n <= 2);
        assertThat(duplicates).isBetween(0L, (long) CHILD_WINDOW);
    }

    private long distinctRecipients() {
        return ses.sent().stream().map(m -> m.to().get(0)).distinct().count();
    }

    private Map<String, String> env(String port) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("MAILER_TOPIC_PREFIX", PREFIX);
        env.put("PORT", port);
        env.put("AWS_REGION", "us-east-1");
        env.put("SES_ENDPOINT", ses.endpoint());
        env.put("MAIL_FROM", "news@example.com");
        return env;
    }

    private Process startChild(int port) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC",
                "-Daws.accessKeyId=test", "-Daws.secretAccessKey=test",
                "-cp", System.getProperty("java.class.path"), DispatcherApplication.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env(Integer.toString(port)));
        pb.environment().put("WORKER_CONCURRENCY", Integer.toString(CHILD_CONCURRENCY));
        pb.environment().put("DUPLICATE_WINDOW", Integer.toString(CHILD_WINDOW));
        File log = Path.of("target", "crash-it-child.log").toFile();
        pb.redirectErrorStream(true).redirectOutput(log);
        return pb.start();
    }

    private static boolean ready(int port) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + port + "/api/v1/ready")).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200;
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
