package io.mailer.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailer.devstack.EmbeddedKafka;
import io.mailer.devstack.SesSandbox;
import io.mailer.schemas.commands.BatchCancellation;
import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.EventType;
import io.mailer.schemas.events.Ids;
import io.mailer.schemas.events.SendRequest;
import io.mailer.schemas.kafka.Topics;
import io.mailer.schemas.unsubscribe.UnsubscribeToken;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code SES_SEND_MODE=bulk} against the SES sandbox: sends of a batch go out in SendBulkEmail calls,
 * and every recipient still gets exactly what single mode gives it (content, headers, tags, outcome,
 * retries). Sends are written in one Kafka transaction so that a poll sees the whole batch.
 */
class DispatcherBulkModeTest {

    private static final Duration PATIENCE = DeliveryEvents.PATIENCE;
    private static final String SECRET = "bulk-unsubscribe-secret";
    private static final String TENANT = "acme";

    private static DispatcherStack stack;
    private static EmbeddedKafka kafka;
    private static SesSandbox ses;
    private static Topics topics;
    private static ConfigurableApplicationContext dispatcher;
    private static KafkaProducer<String, SendRequest> producer;
    private static TopicReader<DeliveryEvent> events;

    @BeforeAll
    static void startEverything() {
        stack = DispatcherStack.on("bulk.")
                // a short account pause keeps the operator-error test quick
                .property("mailer.dispatcher.account-pause", "2s")
                .ses(SesSandbox.Config.defaults().maxSendRate(1000).publishEvents(false))
                .start();
        kafka = stack.kafka;
        ses = stack.ses;
        topics = stack.topics;
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SES_CONFIGURATION_SET", "mailer-events");
        env.put("SES_SEND_MODE", "bulk");
        env.put("WORKER_CONCURRENCY", "8");
        env.put("UNSUBSCRIBE_BASE_URL", "https://mail.example.com");
        env.put("UNSUBSCRIBE_SECRET", SECRET);
        dispatcher = stack.dispatcher(env);
        producer = stack.producer(topics.sends.valueSerde().serializer(),
                Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "bulk-test"));
        producer.initTransactions();
        events = stack.deliveryEvents();
    }

    @AfterAll
    static void stopEverything() {
        if (stack != null) {
            stack.close();
        }
    }

    @BeforeEach
    void resetSes() {
        ses.reset();
    }

    @Test
    void shouldSendABatchInBulkCallsWithEachRecipientsOwnContentHeadersAndTags() {
        // Given 120 recipients of one batch, each with a name
        MessageContent message = marketing("Hello {{name}}", "<p>Hi {{name}} &amp; \"welcome\"</p>", "Hi {{name}}\n({{email}})");
        List<SendRequest> sends = IntStream.range(0, 120)
                .mapToObj(i -> send("ok", i, "user" + i + "@example.com", Map.of("name", "User <" + i + ">"), message))
                .toList();
        double callsBefore = bulkCalls("ok");

        // When
        produceAll(sends);

        // Then every send has one SENT event with the message id SES returned for its entry
        List<DeliveryEvent> outcomes = awaitOutcomes("ok", 120);
        Map<String, SesSandbox.SentMessage> bySendId = ses.sent().stream()
                .collect(Collectors.toMap(m -> m.headers().get("X-Mailer-Send-Id"), Function.identity()));
        assertThat(outcomes).containsExactlyInAnyOrderElementsOf(sends.stream()
                .map(s -> DeliveryEvents.sentEvent(s, bySendId.get(s.sendId()).messageId(), outcomes, 1)).toList());

        // And SES received exactly these messages, each rendered for its recipient, tagged, with its headers
        UnsubscribeToken tokens = new UnsubscribeToken(SECRET);
        List<SesSandbox.SentMessage> expected = sends.stream().map(s -> new SesSandbox.SentMessage(
                bySendId.get(s.sendId()).messageId(), "News <news@example.com>", List.of(s.email()),
                "Hello " + s.variables().get("name"),
                "<p>Hi " + ((String) s.variables().get("name")).replace("<", "&lt;").replace(">", "&gt;")
                        + " &amp; \"welcome\"</p>",
                "Hi " + s.variables().get("name") + "\n(" + s.email() + ")",
                DeliveryEvents.orderedMap("X-Campaign", "winter", "X-Mailer-Batch-Id", s.batchId(), "X-Mailer-Tenant", TENANT,
                        "X-Mailer-Send-Id", s.sendId(),
                        "List-Unsubscribe", "<https://mail.example.com/unsubscribe/" + tokens.issue(TENANT, s.email()) + ">",
                        "List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
                DeliveryEvents.orderedMap("mailer_send_id", s.sendId(), "mailer_batch_id", s.batchId(), "mailer_tenant", TENANT),
                "mailer-events", Instant.EPOCH, List.of("support@example.com"), List.of(), List.of())).toList();
        assertThat(ses.sent())
                .usingRecursiveFieldByFieldElementComparatorIgnoringFields("receivedAt")
                .containsExactlyInAnyOrderElementsOf(expected);

        // And they went in calls of up to 50 destinations, not one call each
        assertThat(bulkCalls("ok") - callsBefore).isBetween(3.0, 12.0);
    }

    @Test
    void shouldFailOnlyTheRejectedEntriesAndTheUnrenderableRecipient() {
        // Given SES rejects two addresses of a batch, and one recipient lacks a variable
        ses.failPermanently("rejected-.*@example\\.com", "MessageRejected");
        MessageContent message = marketing("Code {{code}}", "<p>{{code}}</p>", null);
        List<SendRequest> sends = List.of(
                send("mixed", 0, "fine-0@example.com", Map.of("code", "A"), message),
                send("mixed", 1, "rejected-1@example.com", Map.of("code", "B"), message),
                send("mixed", 2, "fine-2@example.com", Map.of(), message),
                send("mixed", 3, "rejected-3@example.com", Map.of("code", "D"), message),
                send("mixed", 4, "fine-4@example.com", Map.of("code", "E"), message));

        // When
        produceAll(sends);

        // Then each recipient gets its own outcome, the rejected ones after exactly one attempt
        List<DeliveryEvent> outcomes = awaitOutcomes("mixed", 5);
        assertThat(outcomes).extracting(DeliveryEvent::sendId, DeliveryEvent::type, DeliveryEvent::reason,
                e -> e.details().get("attempts")).containsExactlyInAnyOrder(
                tuple("mixed-0", EventType.SENT, null, "1"),
                tuple("mixed-1", EventType.FAILED, "ses:MessageRejected", "1"),
                tuple("mixed-2", EventType.FAILED, "rendering:subject: No method or field with name 'code' on line 1", "0"),
                tuple("mixed-3", EventType.FAILED, "ses:MessageRejected", "1"),
                tuple("mixed-4", EventType.SENT, null, "1"));
        assertThat(ses.sent()).extracting(SesSandbox.SentMessage::html).containsExactlyInAnyOrder("<p>A</p>", "<p>E</p>");
    }

    @Test
    void shouldRetryAWholeCallThatFailedAndSendEveryEntryOnce() {
        // Given SES answers the next two calls with 500
        ses.failServerErrors(2);
        List<SendRequest> sends = IntStream.range(0, 10)
                .mapToObj(i -> send("5xx", i, "r" + i + "@example.com", Map.of(), marketing("s", "<p>h</p>", "t")))
                .toList();

        // When
        produceAll(sends);

        // Then every entry is SENT on the third attempt, once
        List<DeliveryEvent> outcomes = awaitOutcomes("5xx", 10);
        assertThat(outcomes).extracting(DeliveryEvent::type).containsOnly(EventType.SENT);
        assertThat(outcomes).extracting(e -> e.details().get("attempts")).containsOnly("3");
        assertThat(ses.sent()).hasSize(10);
    }

    @Test
    void shouldPutThrottledEntriesBackWithoutFailingAnyAndSendEachOnce() {
        // Given SES throttles 30 % of the entries
        ses.throttleFraction(0.3);
        double throttledBefore = counter("mailer.dispatcher.throttled");
        List<SendRequest> sends = IntStream.range(0, 60)
                .mapToObj(i -> send("throttled", i, "t" + i + "@example.com", Map.of(), marketing("s", "<p>h</p>", "t")))
                .toList();

        // When
        produceAll(sends);

        // Then every send is SENT exactly once, and the throttling was seen
        List<DeliveryEvent> outcomes = awaitOutcomes("throttled", 60);
        assertThat(outcomes).extracting(DeliveryEvent::type).containsOnly(EventType.SENT);
        assertThat(counter("mailer.dispatcher.throttled") - throttledBefore).isPositive();
        assertThat(ses.sent()).extracting(m -> m.to().get(0))
                .containsExactlyInAnyOrderElementsOf(sends.stream().map(SendRequest::email).toList());
        assertThat(ses.sent()).extracting(SesSandbox.SentMessage::messageId)
                .containsExactlyInAnyOrderElementsOf(outcomes.stream().map(DeliveryEvent::sesMessageId).toList());
    }

    @Test
    void shouldSkipACancelledBatchAndNotResendWhatTheLedgerHas() throws Exception {
        // Given a cancelled batch, and a send that already went out
        try (var cancellations = new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(),
                topics.batchCancellations.valueSerde().serializer())) {
            cancellations.send(new ProducerRecord<>(topics.batchCancellations.name(), "stopped",
                    new BatchCancellation("stopped", TENANT, Fixtures.CREATED))).get();
        }
        await().atMost(PATIENCE).until(() -> dispatcher.getBean(io.mailer.dispatcher.ledger.CancelledBatches.class)
                .isCancelled("stopped"));
        SendRequest once = send("again", 0, "once@example.com", Map.of(), marketing("s", "<p>h</p>", "t"));
        produceAll(List.of(once));
        String messageId = awaitOutcomes("again", 1).get(0).sesMessageId();

        // When the cancelled batch's sends and the same send again arrive together
        List<SendRequest> cancelled = IntStream.range(0, 3)
                .mapToObj(i -> send("stopped", i, "c" + i + "@example.com", Map.of(), marketing("s", "<p>h</p>", "t")))
                .toList();
        produceAll(java.util.stream.Stream.concat(cancelled.stream(), java.util.stream.Stream.of(once)).toList());

        // Then nothing more reaches SES: CANCELLED for the batch, SENT with the recorded id for the repeat
        assertThat(awaitOutcomes("stopped", 3)).extracting(DeliveryEvent::type, DeliveryEvent::reason)
                .containsOnly(tuple(EventType.CANCELLED, "batch-cancelled"));
        assertThat(awaitOutcomes("again", 2)).extracting(DeliveryEvent::sesMessageId).containsOnly(messageId);
        assertThat(ses.sent()).extracting(m -> m.to().get(0)).containsExactly("once@example.com");
    }

    @Test
    void shouldPauseNotFailWhenSesDeniesWholeCallsAndSendOnceTheOperatorFixedIt() throws Exception {
        // Given IAM denies SendBulkEmail: every call answers 403 as a whole (the default mode's shape of it)
        ses.denyRequests("AccessDeniedException");
        List<SendRequest> sends = IntStream.range(0, 5)
                .mapToObj(i -> send("denied", i, "d" + i + "@example.com", Map.of(), marketing("s", "<p>h</p>", "t")))
                .toList();

        // When
        produceAll(sends);

        // Then nothing is failed: readiness names the operator error, no outcome is written
        await().atMost(PATIENCE).until(() -> readiness().statusCode() == 503);
        assertThat(readiness().body()).contains("operator:AccessDeniedException");
        assertThat(DeliveryEvents.outcomesOf(events, "denied")).isEmpty();

        // When the operator fixes the policy, every send goes out after the pause, once
        ses.denyRequests(null);
        assertThat(awaitOutcomes("denied", 5)).extracting(DeliveryEvent::type).containsOnly(EventType.SENT);
        await().atMost(PATIENCE).until(() -> readiness().statusCode() == 200);
        assertThat(ses.sent()).extracting(m -> m.to().get(0)).containsExactlyInAnyOrder("d0@example.com",
                "d1@example.com", "d2@example.com", "d3@example.com", "d4@example.com");
    }

    // --- helpers ---

    private static java.net.http.HttpResponse<String> readiness() throws Exception {
        String port = dispatcher.getEnvironment().getProperty("local.server.port");
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://localhost:" + port + "/api/v1/ready")).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    private static org.assertj.core.groups.Tuple tuple(Object... values) {
        return org.assertj.core.groups.Tuple.tuple(values);
    }

    private static MessageContent marketing(String subject, String html, String text) {
        return new MessageContent("News <news@example.com>", "support@example.com", subject, html, text,
                Map.of("X-Campaign", "winter"), Map.of(), null, false);
    }

    private static SendRequest send(String batchId, int index, String email, Map<String, Object> variables,
            MessageContent message) {
        return new SendRequest(Ids.sendId(batchId, index), batchId, TENANT, index, email, variables, Map.of(),
                message, Fixtures.CREATED);
    }

    /** One transaction: read_committed consumers see the whole list at once, so one poll groups it. */
    private static void produceAll(List<SendRequest> sends) {
        producer.beginTransaction();
        sends.forEach(s -> producer.send(new ProducerRecord<>(topics.sends.name(), s.sendId(), s)));
        producer.commitTransaction();
    }

    private static List<DeliveryEvent> awaitOutcomes(String batchId, int count) {
        return DeliveryEvents.awaitOutcomes(events, batchId, count);
    }

    private static double bulkCalls(String result) {
        var timer = dispatcher.getBean(MeterRegistry.class).find("email.bulk.send.duration").tag("result", result).timer();
        return timer == null ? 0 : timer.count();
    }

    private static double counter(String name) {
        var c = dispatcher.getBean(MeterRegistry.class).find(name).counter();
        return c == null ? 0 : c.count();
    }
}
