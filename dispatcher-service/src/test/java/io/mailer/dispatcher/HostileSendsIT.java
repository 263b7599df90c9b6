package io.mailer.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailer.devstack.EmbeddedKafka;
import io.mailer.devstack.SesSandbox;
import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.EventType;
import io.mailer.schemas.events.Ids;
import io.mailer.schemas.events.SendRequest;
import io.mailer.schemas.kafka.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;

/**
 * Sends that a tenant could get onto {@code sends} (ingress refuses most of them now, but records
 * written before that, or by another producer, still arrive) fail alone, as that recipient's
 * {@code FAILED rendering:…}; the next send of another tenant on the same partition goes out and
 * the dispatcher stays live and ready. Before the render budget and the per-send safety net, each
 * of these stopped or blocked the {@code sends} container for everyone.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileSendsIT {

    private static final String VICTIM = "victim";
    private static final String HOSTILE = "hostile";

    private static DispatcherStack stack;
    private static EmbeddedKafka kafka;
    private static SesSandbox ses;
    private static Topics topics;
    private static ConfigurableApplicationContext dispatcher;
    private static KafkaProducer<String, byte[]> producer;
    private static TopicReader<DeliveryEvent> events;

    @BeforeAll
    static void startEverything() {
        stack = DispatcherStack.on("hostile.").partitions(3)
                .ses(SesSandbox.Config.defaults().maxSendRate(1000))
                .start();
        kafka = stack.kafka;
        ses = stack.ses;
        topics = stack.topics;
        dispatcher = stack.dispatcher(Map.of("SES_MAX_SEND_RATE", "200"));
        producer = stack.producer(new ByteArraySerializer(), Map.of(ProducerConfig.ACKS_CONFIG, "all"));
        events = stack.deliveryEvents();
    }

    @AfterAll
    static void stopEverything() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void shouldFailAPartialAloneAndSendTheNextTenantsMail() throws Exception {
        assertFailsAloneThenOthersSend("partial", "<p>{{> header}}</p>", Map.of(), "partial");
    }

    @Test
    void shouldFailTemplateInheritanceAlone() throws Exception {
        assertFailsAloneThenOthersSend("parent", "{{< layout}}{{$ body}}x{{/ body}}{{/ layout}}", Map.of(), "inheritance");
    }

    @Test
    void shouldFailSectionsNestedThousandsDeepAlone() throws Exception {
        StringBuilder html = new StringBuilder();
        IntStream.range(0, 5000).forEach(i -> html.append("{{#a}}"));
        html.append("x");
        IntStream.range(0, 5000).forEach(i -> html.append("{{/a}}"));
        assertFailsAloneThenOthersSend("deep", html.toString(), Map.of("a", Map.of("a", true)), "deeper than");
    }

    @Test
    void shouldStopAnOutputMultiplyingTemplateAtTheBudget() throws Exception {
        // 300^3 × 40 characters = over a gigabyte of html if nothing stops it
        List<Integer> items = IntStream.range(0, 300).boxed().toList();
        assertFailsAloneThenOthersSend("multiply", "{{#l}}{{#l}}{{#l}}0123456789012345678901234567890123456789{{/l}}{{/l}}{{/l}}",
                Map.of("l", items), "budget");
    }

    @Test
    void shouldStopALoopThatWritesNothingAtTheTimeBudget() throws Exception {
        // 300^4 = 8.1 × 10^9 iterations and not one character written
        List<Integer> items = IntStream.range(0, 300).boxed().toList();
        assertFailsAloneThenOthersSend("silent", "{{#l}}{{#l}}{{#l}}{{#l}}{{/l}}{{/l}}{{/l}}{{/l}}", Map.of("l", items),
                "budget");
    }

    /** Last: it stops the replica's consumer, as an Error on the consumer thread does. */
    @Test
    @Order(Integer.MAX_VALUE)
    void shouldFailLivenessWhenTheSendsConsumerStopsOnItsOwn() throws Exception {
        assertThat(status("/api/v1/health")).isEqualTo(200);
        @SuppressWarnings("unchecked")
        var container = (ConcurrentMessageListenerContainer<String, SendRequest>) dispatcher.getBean(
                "sendsListenerContainer", ConcurrentMessageListenerContainer.class);

        container.getContainers().get(0).stopAbnormally(() -> { });

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(status("/api/v1/health")).isEqualTo(503));
    }

    /**
     * The hostile send and then an ordinary send of another tenant on the same partition: the first
     * fails with a rendering reason naming {@code why}, the second is sent, the probes stay 200.
     */
    private static void assertFailsAloneThenOthersSend(String batch, String html, Map<String, Object> variables,
            String why) throws Exception {
        SendRequest hostile = send(batch, HOSTILE, "h@example.com", html, variables);
        SendRequest ordinary = send(batch + "-next", VICTIM, "v@example.com", "<p>Hello {{name}}</p>",
                Map.of("name", "Vic"));
        produce(hostile);
        produce(ordinary);

        DeliveryEvent failed = DeliveryEvents.awaitOutcomes(events, hostile.batchId(), 1).get(0);
        assertThat(failed.type()).isEqualTo(EventType.FAILED);
        assertThat(failed.reason()).startsWith("rendering:html: ").contains(why);
        DeliveryEvent sent = DeliveryEvents.awaitOutcomes(events, ordinary.batchId(), 1).get(0);
        assertThat(sent.type()).isEqualTo(EventType.SENT);
        assertThat(ses.sentTo("v@example.com")).extracting(SesSandbox.SentMessage::html).contains("<p>Hello Vic</p>");
        assertThat(ses.sentTo("h@example.com")).isEmpty();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(status("/api/v1/health")).isEqualTo(200);
            assertThat(status("/api/v1/ready")).isEqualTo(200);
        });
    }

    private static SendRequest send(String batchId, String tenant, String email, String html, Map<String, Object> variables) {
        MessageContent message = new MessageContent("News <news@example.com>", null, "Hi", html, null, Map.of(),
                Map.of(), null, false);
        return new SendRequest(Ids.sendId(batchId, 0), batchId, tenant, 0, email, variables, Map.of(), message,
                Instant.parse("2026-12-01T10:00:00Z"));
    }

    /** Always partition 0: the hostile record and the next one share it, as two tenants' sends can. */
    private static void produce(SendRequest send) throws Exception {
        producer.send(new ProducerRecord<>(topics.sends.name(), 0, send.sendId(),
                topics.sends.valueSerde().serializer().serialize(topics.sends.name(), send))).get();
    }

    private static int status(String path) throws Exception {
        String port = dispatcher.getEnvironment().getProperty("local.server.port");
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
