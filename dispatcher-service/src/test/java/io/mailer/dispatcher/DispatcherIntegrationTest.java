package io.mailer.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import io.mailer.devstack.EmbeddedKafka;
import io.mailer.devstack.SesSandbox;
import io.mailer.dispatcher.kafka.KafkaConfiguration;
import io.mailer.schemas.unsubscribe.UnsubscribeToken;
import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.EventType;
import io.mailer.schemas.events.Ids;
import io.mailer.schemas.events.SendRequest;
import io.mailer.schemas.kafka.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The dispatcher as it runs in production ({@link DispatcherApplication#start}) against an embedded
 * Kafka and the SES sandbox, in {@code SES_SEND_MODE=single}; each test uses its own batch id and
 * asserts whole outputs.
 */
class DispatcherIntegrationTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String SECRET = "it-unsubscribe-secret";
    private static final String TENANT = "acme";

    private static DispatcherStack stack;
    private static EmbeddedKafka kafka;
    private static SesSandbox ses;
    private static Topics topics;
    private static ConfigurableApplicationContext dispatcher;
    private static KafkaProducer<String, byte[]> producer;
    private static TopicReader<DeliveryEvent> events;
    private static TopicReader<byte[]> deadLetters;

    @BeforeAll
    static void startEverything() {
        stack = DispatcherStack.on("it.")
                // a short account pause keeps the SendingPaused test quick
                .property("mailer.dispatcher.account-pause", "2s")
                // AIMD recovers a fifth of the rate per second, so the storm test sees it back within seconds
                .property("mailer.dispatcher.rate.increase", "0.2")
                // short retry tiers, so a send can go through all of them within the test
                .property("mailer.dispatcher.retry.tier-delays", "300ms,300ms,300ms,300ms")
                // a short committed horizon, so the ledger bound test sees entries go within seconds
                .property("mailer.dispatcher.rate.ledger-committed-horizon", "5s")
                // GetAccount's MaxSendRate is the global rate when SES_MAX_SEND_RATE is not set
                .ses(SesSandbox.Config.defaults().maxSendRate(1000))
                .start();
        kafka = stack.kafka;
        ses = stack.ses;
        topics = stack.topics;
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SES_CONFIGURATION_SET", "mailer-events");
        env.put("MAIL_FROM", "Default <default@example.com>");
        env.put("WORKER_CONCURRENCY", "8");
        // SendEmail semantics, one call per send (the sandbox's faults here are SendEmail-shaped);
        // the default bulk mode has its own suite: DispatcherBulkModeTest
        env.put("SES_SEND_MODE", "single");
        env.put("UNSUBSCRIBE_BASE_URL", "https://mail.example.com");
        env.put("UNSUBSCRIBE_SECRET", SECRET);
        dispatcher = stack.dispatcher(env);
        producer = stack.producer(new ByteArraySerializer(), Map.of(ProducerConfig.ACKS_CONFIG, "all"));
        events = stack.deliveryEvents();
        deadLetters = stack.started(new TopicReader<>(kafka.bootstrapServers(), topics.sendsDlt.name(),
                new ByteArrayDeserializer()));
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
    void shouldSendEveryRequestAndReportItSentWithTheSesMessageId() {
        // Given 12 recipients of one batch, each with a name
        MessageContent message = marketing("Hello {{name}}", "<p>Hi {{name}} &amp; welcome</p>", "Hi {{name}} ({{email}})");
        List<SendRequest> sends = IntStream.range(0, 12)
                .mapToObj(i -> send("ok", i, "user" + i + "@example.com", Map.of("name", "User " + i), message))
                .toList();

        // When
        sends.forEach(DispatcherIntegrationTest::produce);

        // Then every send has one SENT event carrying the message id SES returned for it
        List<DeliveryEvent> outcomes = awaitOutcomes("ok", 12);
        Map<String, SesSandbox.SentMessage> bySendId = ses.sent().stream()
                .collect(Collectors.toMap(m -> m.headers().get("X-Mailer-Send-Id"), Function.identity()));
        assertThat(outcomes).containsExactlyInAnyOrderElementsOf(sends.stream()
                .map(s -> sentEvent(s, bySendId.get(s.sendId()).messageId(), outcomes))
                .toList());

        // And SES received exactly these messages, rendered, tagged and with their headers
        UnsubscribeToken tokens = new UnsubscribeToken(SECRET);
        List<SesSandbox.SentMessage> expected = sends.stream().map(s -> new SesSandbox.SentMessage(
                bySendId.get(s.sendId()).messageId(), "News <news@example.com>", List.of(s.email()),
                "Hello " + s.variables().get("name"),
                "<p>Hi " + s.variables().get("name") + " &amp; welcome</p>",
                "Hi " + s.variables().get("name") + " (" + s.email() + ")",
                orderedMap("X-Campaign", "winter", "X-Mailer-Send-Id", s.sendId(),
                        "X-Mailer-Batch-Id", s.batchId(), "X-Mailer-Tenant", TENANT,
                        "List-Unsubscribe", "<https://mail.example.com/unsubscribe/"
                                + tokens.issue(TENANT, s.email()) + ">",
                        "List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
                orderedMap("mailer_send_id", s.sendId(), "mailer_batch_id", s.batchId(), "mailer_tenant", TENANT),
                "mailer-events", Instant.EPOCH, List.of("support@example.com"), List.of(), List.of())).toList();
        assertThat(ses.sent())
                .usingRecursiveFieldByFieldElementComparatorIgnoringFields("receivedAt")
                .containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void shouldTagTheSesMessageWithTheBatchTagsAndCarryTagsAndMetadataOnTheEvent() {
        // Given a batch with tags and a recipient with metadata
        MessageContent message = new MessageContent("News <news@example.com>", null, "s", "<p>h</p>", null, Map.of(),
                Map.of("campaign", "winter-sale", "mailer_tenant", "spoofed"), null, false);
        SendRequest send = new SendRequest(Ids.sendId("tagged", 0), "tagged", TENANT, 0, "t@example.com", Map.of(),
                Map.of("crmId", "42"), message, Instant.parse("2026-11-27T10:00:00Z"));

        // When
        produce(send);

        // Then SES gets the batch tag beside Mailer's own (which a batch tag cannot replace)
        DeliveryEvent sent = awaitOutcomes("tagged", 1).get(0);
        assertThat(ses.sentTo("t@example.com")).singleElement().extracting(SesSandbox.SentMessage::tags)
                .isEqualTo(orderedMap("mailer_send_id", send.sendId(), "mailer_batch_id", "tagged",
                        "mailer_tenant", TENANT, "campaign", "winter-sale"));
        // And the event carries the batch's tags and the recipient's metadata
        assertThat(sent.type()).isEqualTo(EventType.SENT);
        assertThat(sent.tags()).isEqualTo(Map.of("campaign", "winter-sale", "mailer_tenant", "spoofed"));
        assertThat(sent.metadata()).isEqualTo(Map.of("crmId", "42"));
    }

    @Test
    void shouldHoldLedgerEntriesOnlyUntilTheirSendsAreCommitted() {
        // Given 2,000 sends that SES accepts (each written to the ledger)
        MessageContent message = marketing("s", "<p>h</p>", null);
        IntStream.range(0, 2_000).forEach(i -> produce(send("bounded", i, "b" + i + "@example.com", Map.of(), message)));
        awaitOutcomes("bounded", 2_000);

        // Then once their records are committed and the committed horizon has passed, the view no
        // longer holds them: memory follows the send rate × horizon, not every send ever made (the
        // whole-topic view held all 2,000)
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(gauge("mailer.dispatcher.ledger.entries")).isLessThan(50));
    }

    @Test
    void shouldFailOnlyTheRecipientWithAMissingVariable() {
        // Given three recipients; the second has no "code", which the html needs
        MessageContent message = marketing("Your code", "<p>{{code}}</p>", null);
        SendRequest first = send("missing", 0, "a@example.com", Map.of("code", "A1"), message);
        SendRequest second = send("missing", 1, "b@example.com", Map.of(), message);
        SendRequest third = send("missing", 2, "c@example.com", Map.of("code", "C3"), message);

        // When
        List.of(first, second, third).forEach(DispatcherIntegrationTest::produce);

        // Then the second fails with a rendering reason and is never handed to SES
        List<DeliveryEvent> outcomes = awaitOutcomes("missing", 3);
        DeliveryEvent failed = outcomes.stream().filter(e -> e.sendId().equals(second.sendId())).findFirst().orElseThrow();
        assertThat(failed.type()).isEqualTo(EventType.FAILED);
        assertThat(failed.reason()).startsWith("rendering:html: ").contains("code");
        assertThat(failed.sesMessageId()).isNull();
        assertThat(outcomes).filteredOn(e -> e.type() == EventType.SENT).extracting(DeliveryEvent::sendId)
                .containsExactlyInAnyOrder(first.sendId(), third.sendId());
        assertThat(ses.sent()).extracting(SesSandbox.SentMessage::html).containsExactlyInAnyOrder("<p>A1</p>", "<p>C3</p>");
    }

    @Test
    void shouldFailAPermanentlyRejectedSendAtOnceWithoutRetrying() {
        // Given SES rejects one address
        ses.failPermanently("rejected@example\\.com", "MessageRejected");
        double callsBefore = sesCalls("permanent");
        SendRequest rejected = send("perm", 0, "rejected@example.com", Map.of(), marketing("s", "<p>h</p>", "t"));
        SendRequest accepted = send("perm", 1, "fine@example.com", Map.of(), marketing("s", "<p>h</p>", "t"));

        // When
        produce(rejected);
        produce(accepted);

        // Then it fails with SES's code after exactly one call; the other send is unaffected
        List<DeliveryEvent> outcomes = awaitOutcomes("perm", 2);
        DeliveryEvent failed = outcomes.stream().filter(e -> e.sendId().equals(rejected.sendId())).findFirst().orElseThrow();
        assertThat(failed).isEqualTo(new DeliveryEvent(Ids.pipelineEventId(rejected.sendId(), EventType.FAILED),
                EventType.FAILED, rejected.sendId(), "perm", TENANT, 0, "rejected@example.com", failed.occurredAt(),
                null, "ses:MessageRejected", Map.of("attempts", "1")));
        assertThat(sesCalls("permanent") - callsBefore).isEqualTo(1.0);
        assertThat(ses.sent()).extracting(m -> m.to().get(0)).containsExactly("fine@example.com");
    }

    @Test
    void shouldRetryServerErrorsAndThenReportSent() {
        // Given SES answers the next three calls with 500
        ses.failServerErrors(3);
        SendRequest send = send("5xx", 0, "retry@example.com", Map.of(), marketing("s", "<p>h</p>", "t"));

        // When
        produce(send);

        // Then the fourth attempt succeeds
        List<DeliveryEvent> outcomes = awaitOutcomes("5xx", 1);
        assertThat(outcomes).containsExactly(sentEvent(send, ses.sent().get(0).messageId(), outcomes, 4));
        assertThat(ses.sent()).hasSize(1);
    }

    @Test
    void shouldSendEverythingDespiteThrottlingFailNothingAndLowerThenRecoverTheRate() throws Exception {
        // Given SES throttles 30 % of calls
        ses.throttleFraction(0.3);
        var limiter = dispatcher.getBean(io.mailer.dispatcher.ratelimit.SharedRateLimiter.class);
        double fullRate = limiter.currentRate();
        double throttledBefore = counter("mailer.dispatcher.throttled");
        List<Double> ratesSeen = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<SendRequest> sends = IntStream.range(0, 30)
                .mapToObj(i -> send("throttled", i, "t" + i + "@example.com", Map.of(), marketing("s", "<p>h</p>", "t")))
                .toList();

        // When
        sends.forEach(DispatcherIntegrationTest::produce);

        // Then every send is SENT exactly once, nothing is dead-lettered, and the rate went down
        List<DeliveryEvent> outcomes = await().atMost(PATIENCE).pollInterval(Duration.ofMillis(50)).until(() -> {
            ratesSeen.add(limiter.currentRate());
            return outcomesOf("throttled");
        }, list -> list.size() >= 30);
        assertThat(counter("mailer.dispatcher.throttled") - throttledBefore).isGreaterThan(0);
        assertThat(ratesSeen.stream().mapToDouble(Double::doubleValue).min().orElseThrow()).isLessThan(fullRate * 0.75);
        assertThat(deadLetters.records()).noneMatch(r -> r.key() != null && r.key().startsWith("throttled-"));
        assertThat(outcomes).extracting(DeliveryEvent::type).containsOnly(EventType.SENT);
        assertThat(outcomes).extracting(DeliveryEvent::sendId)
                .containsExactlyInAnyOrderElementsOf(sends.stream().map(SendRequest::sendId).toList());
        assertThat(ses.sent()).hasSize(30);
        assertThat(ses.sent()).extracting(SesSandbox.SentMessage::messageId)
                .containsExactlyInAnyOrderElementsOf(outcomes.stream().map(DeliveryEvent::sesMessageId).toList());

        // When the storm is over, Then the rate climbs back to the full share
        ses.throttleFraction(0);
        await().atMost(PATIENCE).until(limiter::currentRate, rate -> rate >= fullRate * 0.999);
        assertThat(scrapeGauge("mailer_dispatcher_rate_limit")).isCloseTo(fullRate, org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void shouldSendThroughTheFirstRetryTierWhenServerErrorsOutlastTheInProcessAttempts() {
        // Given SES answers the next seven calls with 500: five in-process attempts fail, then two more
        ses.failServerErrors(7);
        SendRequest send = send("tier", 0, "tier@example.com", Map.of(), marketing("s", "<p>h</p>", "t"));

        // When
        produce(send);

        // Then it comes back from sends-retry-1s and goes out on its third attempt there
        List<DeliveryEvent> outcomes = awaitOutcomes("tier", 1);
        assertThat(outcomes).containsExactly(sentEvent(send, ses.sent().get(0).messageId(), outcomes, 3));
        assertThat(ses.sent()).hasSize(1);
    }

    @Test
    void shouldDeadLetterASendThatFailsThroughEveryRetryTierWithItsReason() {
        // Given SES answers every call with 500
        ses.failServerErrors(1_000);
        SendRequest send = send("exhausted", 0, "never@example.com", Map.of(), marketing("s", "<p>h</p>", "t"));

        // When
        produce(send);

        // Then after the in-process attempts and the four tiers it lands in sends-dlt, with reason and batch
        ConsumerRecord<String, byte[]> dead = await().atMost(Duration.ofSeconds(120)).until(
                () -> deadLetters.records().stream().filter(r -> send.sendId().equals(r.key())).findFirst(),
                java.util.Optional::isPresent).orElseThrow();
        ses.failServerErrors(0);
        assertThat(topics.sendsDlt.valueSerde().deserializer().deserialize(topics.sendsDlt.name(), dead.value()))
                .isEqualTo(send);
        assertThat(header(dead, KafkaConfiguration.DLT_REASON_HEADER)).isEqualTo("ses:retries-exhausted:InternalFailure");
        assertThat(header(dead, io.mailer.dispatcher.kafka.RetryTiers.BATCH_HEADER)).isEqualTo("exhausted");
        // and the batch's accounting gets a FAILED saying so, SES never accepted it
        List<DeliveryEvent> outcomes = awaitOutcomes("exhausted", 1);
        assertThat(outcomes).extracting(DeliveryEvent::type, DeliveryEvent::reason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(EventType.FAILED, "ses:dead-lettered:InternalFailure"));
        assertThat(ses.sent()).isEmpty();
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    @Test
    void shouldSkipSendsOfACancelledBatchAndReportThemCancelled() throws Exception {
        // Given the batch is in batch-cancellations
        try (var cancellations = new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(),
                topics.batchCancellations.valueSerde().serializer())) {
            cancellations.send(new ProducerRecord<>(topics.batchCancellations.name(), "cancelled",
                    new io.mailer.schemas.commands.BatchCancellation("cancelled", TENANT, Fixtures.CREATED))).get();
        }
        await().atMost(PATIENCE).until(() -> dispatcher.getBean(io.mailer.dispatcher.ledger.CancelledBatches.class)
                .isCancelled("cancelled"));
        List<SendRequest> sends = IntStream.range(0, 3)
                .mapToObj(i -> send("cancelled", i, "c" + i + "@example.com", Map.of(), marketing("s", "<p>h</p>", "t")))
                .toList();

        // When its sends arrive
        sends.forEach(DispatcherIntegrationTest::produce);

        // Then none is sent and each gets a CANCELLED event
        List<DeliveryEvent> outcomes = awaitOutcomes("cancelled", 3);
        assertThat(outcomes).extracting(DeliveryEvent::type).containsOnly(EventType.CANCELLED);
        assertThat(outcomes).extracting(DeliveryEvent::sendId)
                .containsExactlyInAnyOrderElementsOf(sends.stream().map(SendRequest::sendId).toList());
        assertThat(outcomes).extracting(DeliveryEvent::reason).containsOnly("batch-cancelled");
        assertThat(ses.sent()).isEmpty();
    }

    @Test
    void shouldNotSendAgainASendTheLedgerSaysSesAccepted() {
        // Given a send that went out
        SendRequest send = send("ledger", 0, "once@example.com", Map.of(), marketing("s", "<p>h</p>", "t"));
        produce(send);
        DeliveryEvent first = awaitOutcomes("ledger", 1).get(0);

        // When the same send is delivered again (a redelivery after a crash looks exactly like this)
        produce(send);

        // Then it is reported SENT with the same SES message id, and SES got one call only
        List<DeliveryEvent> outcomes = awaitOutcomes("ledger", 2);
        assertThat(outcomes).extracting(DeliveryEvent::sesMessageId).containsOnly(first.sesMessageId());
        assertThat(ses.sent()).hasSize(1);
    }

    @Test
    void shouldDeadLetterAnUnreadableRecordAndMoveOn() {
        // Given a good send, a record that is not JSON, and another good send, on one partition
        SendRequest before = send("poison", 0, "p0@example.com", Map.of(), marketing("s", "<p>h</p>", "t"));
        SendRequest after = send("poison", 1, "p1@example.com", Map.of(), marketing("s", "<p>h</p>", "t"));
        double deadLettersBefore = counter("mailer.dispatcher.dead.letters", "reason", "deserialization");
        byte[] garbage = "{not json".getBytes(StandardCharsets.UTF_8);

        // When
        produce(before, 0);
        producer.send(new ProducerRecord<>(topics.sends.name(), 0, "poison-x", garbage));
        produce(after, 0);

        // Then both sends go out, and the bad record lands in sends-dlt, bytes intact, with a reason
        List<DeliveryEvent> outcomes = awaitOutcomes("poison", 2);
        assertThat(outcomes).extracting(DeliveryEvent::type).containsOnly(EventType.SENT);
        ConsumerRecord<String, byte[]> dead = await().atMost(PATIENCE).until(
                () -> deadLetters.records().stream().filter(r -> "poison-x".equals(r.key())).findFirst(),
                java.util.Optional::isPresent).orElseThrow();
        assertThat(dead.value()).isEqualTo(garbage);
        assertThat(new String(dead.headers().lastHeader(KafkaConfiguration.DLT_REASON_HEADER).value(),
                StandardCharsets.UTF_8)).startsWith("deserialization: ");
        assertThat(counter("mailer.dispatcher.dead.letters", "reason", "deserialization") - deadLettersBefore)
                .isEqualTo(1.0);
    }

    @Test
    void shouldPauseWhileSendingIsPausedAndSendLaterWithoutFailing() throws Exception {
        // Given SES says sending is paused for the account
        ses.sendingPaused(true);
        SendRequest send = send("paused", 0, "later@example.com", Map.of(), marketing("s", "<p>h</p>", "t"));

        // When
        produce(send);

        // Then readiness goes DOWN and no outcome is written while paused
        await().atMost(PATIENCE).until(() -> readinessStatus() == 503);
        assertThat(outcomesOf("paused")).isEmpty();

        // When SES can send again, the send goes out after the pause and readiness comes back
        ses.sendingPaused(false);
        List<DeliveryEvent> outcomes = awaitOutcomes("paused", 1);
        assertThat(outcomes).extracting(DeliveryEvent::type).containsExactly(EventType.SENT);
        await().atMost(PATIENCE).until(() -> readinessStatus() == 200);
    }

    @Test
    void shouldPauseNotFailWhenSesDeniesTheCallsAndSendOnceTheOperatorFixedIt() throws Exception {
        // Given IAM denies SendEmail (every send would get the same answer)
        ses.failPermanently(".*", "AccessDeniedException");
        List<SendRequest> sends = IntStream.range(0, 5)
                .mapToObj(i -> send("denied", i, "d" + i + "@example.com", Map.of(), marketing("s", "<p>h</p>", "t")))
                .toList();

        // When
        sends.forEach(DispatcherIntegrationTest::produce);

        // Then nothing is failed: readiness says why, the metric counts it, no outcome is written
        await().atMost(PATIENCE).until(() -> readinessStatus() == 503);
        assertThat(get("/api/v1/ready").body()).contains("operator:AccessDeniedException");
        assertThat(counter("mailer.dispatcher.operator.errors", "code", "AccessDeniedException")).isPositive();
        assertThat(outcomesOf("denied")).isEmpty();

        // When the operator fixes the policy, every send goes out after the pause
        ses.reset();
        List<DeliveryEvent> outcomes = awaitOutcomes("denied", 5);
        assertThat(outcomes).extracting(DeliveryEvent::type).containsOnly(EventType.SENT);
        await().atMost(PATIENCE).until(() -> readinessStatus() == 200);
    }

    @Test
    void shouldExposeTheDispatcherMetricsToPrometheus() throws Exception {
        // Given one send went out
        SendRequest send = send("metrics", 0, "m@example.com", Map.of(), marketing("s", "<p>h</p>", "t"));
        produce(send);
        awaitOutcomes("metrics", 1);

        // When Prometheus scrapes
        String scrape = get("/actuator/prometheus").body();

        // Then the documented series are there
        assertThat(scrape).contains("emails_sent_total{outcome=\"sent\",tenant=\"acme\"}",
                "email_send_duration_seconds_bucket{", "email_send_duration_seconds_count{result=\"ok\"}",
                "mailer_dispatcher_in_flight ", "mailer_dispatcher_concurrency_limit ", "mailer_dispatcher_unrecorded_sends ",
                "mailer_dispatcher_unrecorded_limit ", "mailer_dispatcher_account_paused ", "mailer_dispatcher_rate_limit ",
                "mailer_dispatcher_global_rate 1000.0");
        assertThat(get("/api/v1/health").statusCode()).isEqualTo(200);
    }

    @Test
    void shouldWriteEventsThatValidateAgainstThePublishedSchema() throws Exception {
        // Given one send that goes out and one that cannot be rendered
        MessageContent message = marketing("Hi {{name}}", "<p>{{name}}</p>", null);
        produce(send("schema", 0, "s0@example.com", Map.of("name", "Ann"), message));
        produce(send("schema", 1, "s1@example.com", Map.of(), message));
        awaitOutcomes("schema", 2);

        // Then the bytes on delivery-events are valid delivery-event documents
        var factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
                b -> b.schemaMappers(m -> m.mapPrefix("https://mailer.io/schemas/", "classpath:schemas/")));
        JsonSchema schema = factory.getSchema(SchemaLocation.of("https://mailer.io/schemas/delivery-event.schema.json"),
                SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build());
        ObjectMapper json = new ObjectMapper();
        try (TopicReader<byte[]> raw = new TopicReader<>(kafka.bootstrapServers(), topics.deliveryEvents.name(),
                new ByteArrayDeserializer())) {
            List<com.fasterxml.jackson.databind.JsonNode> documents = new ArrayList<>();
            await().atMost(PATIENCE).until(() -> {
                documents.clear();
                for (ConsumerRecord<String, byte[]> r : raw.records()) {
                    var node = json.readTree(r.value());
                    if ("schema".equals(node.path("batchId").asText())) {
                        documents.add(node);
                    }
                }
                return documents.size() == 2;
            });
            assertThat(documents).allSatisfy(d -> assertThat(schema.validate(d)).isEmpty());
        }
    }

    // --- helpers ---

    private static MessageContent marketing(String subject, String html, String text) {
        return new MessageContent("News <news@example.com>", "support@example.com", subject, html, text,
                Map.of("X-Campaign", "winter"), Map.of(), null, false);
    }

    private static SendRequest send(String batchId, int index, String email, Map<String, Object> variables,
            MessageContent message) {
        return new SendRequest(Ids.sendId(batchId, index), batchId, TENANT, index, email, variables, Map.of(),
                message, Instant.parse("2026-11-27T10:00:00Z"));
    }

    private static void produce(SendRequest send) {
        producer.send(new ProducerRecord<>(topics.sends.name(), send.sendId(),
                topics.sends.valueSerde().serializer().serialize(topics.sends.name(), send)));
    }

    private static void produce(SendRequest send, int partition) {
        producer.send(new ProducerRecord<>(topics.sends.name(), partition, send.sendId(),
                topics.sends.valueSerde().serializer().serialize(topics.sends.name(), send)));
    }

    private static List<DeliveryEvent> outcomesOf(String batchId) {
        return DeliveryEvents.outcomesOf(events, batchId);
    }

    private static List<DeliveryEvent> awaitOutcomes(String batchId, int count) {
        return DeliveryEvents.awaitOutcomes(events, batchId, count);
    }

    private static DeliveryEvent sentEvent(SendRequest s, String sesMessageId, List<DeliveryEvent> actual) {
        return DeliveryEvents.sentEvent(s, sesMessageId, actual, 1);
    }

    private static DeliveryEvent sentEvent(SendRequest s, String sesMessageId, List<DeliveryEvent> actual,
            int attempts) {
        return DeliveryEvents.sentEvent(s, sesMessageId, actual, attempts);
    }

    private static Map<String, String> orderedMap(String... kv) {
        return DeliveryEvents.orderedMap(kv);
    }

    private static double sesCalls(String result) {
        var timer = dispatcher.getBean(MeterRegistry.class).find("email.send.duration").tag("result", result).timer();
        return timer == null ? 0 : timer.count();
    }

    private static double gauge(String name) {
        var g = dispatcher.getBean(MeterRegistry.class).find(name).gauge();
        return g == null ? Double.NaN : g.value();
    }

    private static double counter(String name) {
        var c = dispatcher.getBean(MeterRegistry.class).find(name).counter();
        return c == null ? 0 : c.count();
    }

    private static double scrapeGauge(String name) throws Exception {
        return get("/actuator/prometheus").body().lines().filter(l -> l.startsWith(name + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1).trim())).findFirst().orElseThrow();
    }

    private static double counter(String name, String tag, String value) {
        var c = dispatcher.getBean(MeterRegistry.class).find(name).tag(tag, value).counter();
        return c == null ? 0 : c.count();
    }

    private static int readinessStatus() throws Exception {
        return get("/api/v1/ready").statusCode();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        String port = dispatcher.getEnvironment().getProperty("local.server.port");
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + port + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
