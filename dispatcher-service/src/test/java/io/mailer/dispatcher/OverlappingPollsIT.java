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
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.function.DoubleSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.core.ConsumerFactory;

/**
 * Overlapping polls ({@code SendsListener} / {@code PollInProgress}) at their edges, with small polls
 * (max-poll-records 100) so that a backlog is many polls and the listener returns with a poll still
 * outstanding almost every time: the end of a backlog (nothing arrives to finish the last poll), an
 * account pause while a poll is outstanding (deferral, commit of what precedes, seek back of both
 * polls), and a replica joining and leaving mid-backlog (the revoke and the close finish the
 * outstanding poll). Each test has its own topic prefix, hence its own topics and consumer group;
 * Kafka and the SES sandbox are shared.
 */
class OverlappingPollsIT {

    private static final int MAX_POLL_RECORDS = 100;
    private static final String SMALL_FETCHES = "spring.kafka.consumer.properties[max.partition.fetch.bytes]";
    private static final String PREPARED_MESSAGES = "mailer.dispatcher.prepared-messages";
    private static final String OUTSTANDING_RECORDS = "mailer.dispatcher.polls.outstanding.records";
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final MessageContent MESSAGE = new MessageContent("news@example.com", null, "Hi {{n}}",
            "<p>Hi {{n}}</p>", "Hi {{n}}", Map.of(), Map.of(), null, true);

    private static EmbeddedKafka kafka;
    private static SesSandbox ses;
    private final List<ConfigurableApplicationContext> dispatchers = new ArrayList<>();
    private TopicReader<DeliveryEvent> events;

    @BeforeAll
    static void startKafkaAndSes() {
        System.setProperty("aws.accessKeyId", "test");
        System.setProperty("aws.secretAccessKey", "test");
        // small polls: a backlog of a few thousand sends is dozens of polls, overlapping
        System.setProperty("mailer.dispatcher.max-poll-records", Integer.toString(MAX_POLL_RECORDS));
        // a short account pause: while SES stays paused the gate reopens every second or two and the
        // sends are deferred again, so a pause of a few seconds defers several overlapping polls
        System.setProperty("mailer.dispatcher.account-pause", "1s");
        kafka = EmbeddedKafka.start();
        // GetAccount's rate is the global rate unless SES_MAX_SEND_RATE is set: high, so only the
        // in-flight window paces the first two tests
        ses = SesSandbox.start(SesSandbox.Config.defaults().maxSendRate(100_000).max24HourSend(1_000_000)
                .publishEvents(false));
    }

    @AfterAll
    static void stopKafkaAndSes() {
        System.clearProperty("mailer.dispatcher.max-poll-records");
        System.clearProperty("mailer.dispatcher.account-pause");
        if (ses != null) {
            ses.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @BeforeEach
    void resetSes() {
        ses.reset();
    }

    @AfterEach
    void stopDispatchers() {
        dispatchers.forEach(ConfigurableApplicationContext::close);
        if (events != null) {
            events.close();
        }
    }

    /** Samples a gauge of the dispatcher every millisecond; keeps the largest value. */
    private static final class GaugeSampler {
        private final java.util.concurrent.atomic.AtomicLong most = new java.util.concurrent.atomic.AtomicLong();
        private final Thread thread;

        GaugeSampler(ConfigurableApplicationContext dispatcher, String gaugeName) {
            MeterRegistry registry = dispatcher.getBean(MeterRegistry.class);
            thread = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    io.micrometer.core.instrument.Gauge gauge = registry.find(gaugeName).gauge();
                    if (gauge != null) {
                        most.accumulateAndGet((long) gauge.value(), Math::max);
                    }
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "gauge-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        long stop() throws InterruptedException {
            thread.interrupt();
            thread.join();
            return most.get();
        }
    }

    @Test
    void shouldCommitTheLastOutstandingPollOfABacklogWithoutFurtherRecords() throws Exception {
        // Given a backlog of 3,000 sends written as the topology writes them (transactions, here one per
        // partition of exactly 5 polls): after the last poll of a partition only its commit marker is
        // left, so the consumer sees lag and the listener leaves that poll outstanding; no record will
        // ever come to finish it, only the container's idle event can
        String prefix = "ovl-end.";
        Topics topics = createTopics(prefix);
        List<SendRequest> sends = sends("end", 3_000);
        Map<TopicPartition, Long> ends = produceInTransactions(topics, sends);

        // When the dispatcher starts on it and nothing else is ever written to sends
        ConfigurableApplicationContext dispatcher = DispatcherApplication.start(env(prefix, Map.of()));
        dispatchers.add(dispatcher);
        GaugeSampler outstanding = new GaugeSampler(dispatcher, OUTSTANDING_RECORDS);

        // Then every send went to SES exactly once and has exactly one event, SENT with SES's message id
        events = reader(topics);
        await("a SENT event for every send").atMost(PATIENCE)
                .until(() -> sentSendIds("end").size() == sends.size());
        // and polls were left outstanding two at a time (2 s of sending at this rate are more than two
        // polls), never more than twice max-poll-records: a short poll does not leave the replica with
        // nothing queued while the next one is fetched
        long most = outstanding.stop();
        assertThat(most).as("most records of outstanding polls").isGreaterThan(MAX_POLL_RECORDS)
                .isLessThanOrEqualTo(2 * MAX_POLL_RECORDS);
        assertSesSawEachRecipientOnce(sends);
        List<DeliveryEvent> outcomes = outcomes("end");
        Map<String, String> messageIds = messageIdsBySendId();
        assertThat(outcomes).containsExactlyInAnyOrderElementsOf(sends.stream()
                .map(s -> DeliveryEvents.sentEvent(s, messageIds.get(s.sendId()), outcomes, 1)).toList());

        // and the group's offsets reach the last send of every partition a few seconds after SES got
        // the last message (the idle event, every second once the consumer's 5 s poll comes back empty)
        Instant lastAtSes = ses.sent().stream().map(SesSandbox.SentMessage::receivedAt).max(Instant::compareTo)
                .orElseThrow();
        await("offsets committed to the end of every partition").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200)).until(() -> committed(prefix).equals(ends));
        Duration afterLastSend = Duration.between(lastAtSes, Instant.now());
        System.out.printf("overlapping polls, end of backlog: offsets committed %d ms after the last SES call%n",
                afterLastSend.toMillis());
        assertThat(afterLastSend).isLessThan(Duration.ofSeconds(20));
        assertThat(outcomes("end")).hasSize(sends.size());
    }

    @Test
    void shouldKeepOnlyOnePollOutstandingWhenTwoSecondsOfSendingAreLessThanAPoll() throws Exception {
        // Given a dispatcher paced at 40/s: two seconds of sending (80) are less than one poll (100), so a
        // revoke would wait longer than that for a second outstanding poll
        String prefix = "ovl-slow.";
        Topics topics = createTopics(prefix);
        ConfigurableApplicationContext dispatcher = DispatcherApplication.start(env(prefix,
                Map.of("SES_MAX_SEND_RATE", "40")));
        dispatchers.add(dispatcher);
        GaugeSampler outstanding = new GaugeSampler(dispatcher, OUTSTANDING_RECORDS);

        // When it drains a backlog of 600 sends
        List<SendRequest> sends = sends("slow", 600);
        Map<TopicPartition, Long> ends = produce(topics, sends);

        // Then every recipient was accepted once, and polls still overlapped, but one at a time
        events = reader(topics);
        awaitEachSentOnceAndCommitted(prefix, sends, ends,
                () -> counter(dispatcher.getBean(MeterRegistry.class), "mailer.dispatcher.ledger.hits"));
        long most = outstanding.stop();
        assertThat(most).as("most records of outstanding polls").isPositive().isLessThanOrEqualTo(MAX_POLL_RECORDS);
    }

    @Test
    void shouldBoundTheRenderedMessagesOfALargeTemplateWithoutHoldingUpAnotherTenant() throws Exception {
        // Given a dispatcher allowed 1,000,000 characters of rendered messages, paced at 100/s, and a
        // backlog of 300 sends of one tenant whose message has ~20,000 characters of html: prepared all
        // at once (three polls of 100) they would count ~12,700,000
        String prefix = "ovl-large.";
        Topics topics = createTopics(prefix);
        ConfigurableApplicationContext dispatcher;
        System.setProperty(PREPARED_MESSAGES, "1000000");
        try {
            dispatcher = DispatcherApplication.start(env(prefix, Map.of("SES_MAX_SEND_RATE", "100")));
        } finally {
            System.clearProperty(PREPARED_MESSAGES);
        }
        dispatchers.add(dispatcher);
        GaugeSampler prepared = new GaugeSampler(dispatcher, "mailer.dispatcher.prepared.messages");
        MessageContent large = new MessageContent("news@example.com", null, "Hi {{n}}",
                "<p>Hi {{n}}</p>" + "<p>Today's news.</p>".repeat(1_000), "Hi {{n}}", Map.of(), Map.of(), null, true);
        List<SendRequest> sends = new ArrayList<>(IntStream.range(0, 300)
                .mapToObj(i -> Fixtures.send("large", i, "large" + i + "@example.com", Map.of("n", i), large))
                .toList());
        // and another tenant's small batch written right behind it, on the same partitions
        List<SendRequest> small = IntStream.range(0, 100).mapToObj(i -> new SendRequest(Ids.sendId("small", i),
                "small", "other-tenant", i, "small" + i + "@example.com", Map.of("n", i), Map.of(), MESSAGE,
                Fixtures.CREATED)).toList();
        sends.addAll(small);

        // When it drains them
        Map<TopicPartition, Long> ends = produce(topics, sends);

        // Then every recipient of both tenants was accepted once (the other tenant's sends waited only
        // for the sends ahead of them to be answered, nothing failed or stalled), the rendered messages
        // counted never passed the bound by more than one send, sends did wait for room, and the
        // dispatcher stayed healthy throughout
        events = reader(topics);
        MeterRegistry meters = dispatcher.getBean(MeterRegistry.class);
        awaitEachSentOnceAndCommitted(prefix, sends, ends, () -> counter(meters, "mailer.dispatcher.ledger.hits"));
        assertThat(outcomes(small)).extracting(DeliveryEvent::tenantId).containsOnly("other-tenant");
        long most = prepared.stop();
        long oneSend = 2_048 + 2L * (large.subject().length() + large.html().length() + large.text().length());
        double waits = meters.get("mailer.dispatcher.prepared.waits").functionCounter().count();
        System.out.printf("large template: at most %d characters of rendered messages counted (bound 1,000,000 + one send"
                + " of %d), %.0f waits%n", most, oneSend, waits);
        assertThat(most).isPositive().isLessThanOrEqualTo(1_000_000 + oneSend);
        assertThat(waits).isPositive();
        assertThat(healthStatus(dispatcher)).isEqualTo(200);
    }

    @Test
    void shouldSendEachRecipientOnceWhenTheAccountIsPausedWhilePollsOverlap() throws Exception {
        // Given a dispatcher draining a backlog of 2,400 sends in overlapping polls of 100, each poll
        // taking records of several partitions (small fetches per partition), so the poll after the
        // outstanding one holds partitions that the outstanding poll's deferred tail does not
        String prefix = "ovl-pause.";
        Topics topics = createTopics(prefix);
        ses.latency(Duration.ofMillis(5));
        System.setProperty(SMALL_FETCHES, "16384");
        ConfigurableApplicationContext dispatcher;
        try {
            dispatcher = DispatcherApplication.start(env(prefix, Map.of("WORKER_CONCURRENCY", "8")));
        } finally {
            System.clearProperty(SMALL_FETCHES);
        }
        dispatchers.add(dispatcher);
        assertThat(dispatcher.getBean("sendsConsumerFactory", ConsumerFactory.class).getConfigurationProperties())
                .containsEntry("max.partition.fetch.bytes", "16384");
        MeterRegistry meters = dispatcher.getBean(MeterRegistry.class);
        List<SendRequest> sends = sends("pause", 2_400);
        Map<TopicPartition, Long> ends = produce(topics, sends);
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(10)).until(() -> ses.sentCount() >= 600);

        // When SES pauses the account mid-backlog, for a few seconds, then lets it send again
        ses.sendingPaused(true);
        await().atMost(PATIENCE).until(() -> deferred(meters) > 0);
        long acceptedWhenPaused = ses.sentCount();
        await().pollDelay(Duration.ofSeconds(3)).atMost(PATIENCE).until(() -> true);
        ses.sendingPaused(false);

        // Then every recipient was accepted by SES exactly once: sends deferred from the outstanding
        // poll and from the next one (already fetched past them) were redelivered, none skipped, and
        // those of them that had gone out were ledger hits, not sent again
        events = reader(topics);
        double ledgerHits = awaitEachSentOnceAndCommitted(prefix, sends, ends,
                () -> counter(meters, "mailer.dispatcher.ledger.hits"));
        System.out.printf("overlapping polls, account paused after %d of %d accepted: %.0f sends deferred,"
                + " %.0f ledger hits%n", acceptedWhenPaused, sends.size(), deferred(meters), ledgerHits);
        assertThat(acceptedWhenPaused).isLessThan(sends.size());
    }

    @Test
    void shouldSendEachRecipientOnceWhenAReplicaJoinsAndLeavesMidBacklog() throws Exception {
        // Given one dispatcher draining a backlog of 4,000 sends at 200/s in overlapping polls of 100
        String prefix = "ovl-rebalance.";
        Topics topics = createTopics(prefix);
        Map<String, String> paced = Map.of("SES_MAX_SEND_RATE", "200");
        ConfigurableApplicationContext first = DispatcherApplication.start(env(prefix, paced));
        dispatchers.add(first);
        List<SendRequest> sends = sends("rebalance", 4_000);
        Map<TopicPartition, Long> ends = produce(topics, sends);
        await().atMost(PATIENCE).until(() -> ses.sentCount() >= 200);

        // When a second replica joins (every partition is revoked from the first, with a poll outstanding)
        ConfigurableApplicationContext second = DispatcherApplication.start(env(prefix, paced));
        dispatchers.add(second);
        MeterRegistry secondMeters = second.getBean(MeterRegistry.class);
        await().atMost(PATIENCE).until(() -> counter(secondMeters, "emails.sent", "outcome", "sent") >= 200);
        long acceptedWhenJoined = ses.sentCount();
        // and leaves again while the backlog is still draining (graceful close: its outstanding poll is
        // finished on close, sends waiting for a turn are deferred and redelivered to the first replica)
        second.close();
        long acceptedWhenLeft = ses.sentCount();
        double secondLedgerHits = counter(secondMeters, "mailer.dispatcher.ledger.hits");

        // Then every recipient was accepted by SES exactly once, and the rest as above
        events = reader(topics);
        double ledgerHits = awaitEachSentOnceAndCommitted(prefix, sends, ends, () -> secondLedgerHits
                + counter(first.getBean(MeterRegistry.class), "mailer.dispatcher.ledger.hits"));
        System.out.printf("overlapping polls, rebalance: second replica joined after %d and left after %d of %d"
                + " accepted; %.0f ledger hits%n", acceptedWhenJoined, acceptedWhenLeft, sends.size(), ledgerHits);
        // the second replica really joined and left mid-backlog
        assertThat(acceptedWhenLeft).isLessThan(sends.size());
    }

    /**
     * Waits for every send's SENT event and for the group's offsets to reach the end of every partition
     * (so every event is written: a poll commits after its events), then asserts that SES accepted each
     * recipient exactly once, and that each send has exactly one SENT event (by event id) carrying SES's
     * message id: a ledger hit writes that same event again, so the repeated records are exactly the
     * ledger hits. Returns the ledger hits.
     */
    private double awaitEachSentOnceAndCommitted(String prefix, List<SendRequest> sends,
            Map<TopicPartition, Long> ends, DoubleSupplier ledgerHits) {
        await("a SENT event for every send").atMost(PATIENCE)
                .until(() -> outcomes(sends).stream().filter(e -> e.type() == EventType.SENT)
                        .map(DeliveryEvent::sendId).distinct().count() == sends.size());
        assertSesSawEachRecipientOnce(sends);
        await("offsets committed to the end of every partition").atMost(PATIENCE).pollInterval(Duration.ofMillis(200))
                .until(() -> committed(prefix).equals(ends));
        List<DeliveryEvent> outcomes = outcomes(sends);
        assertThat(outcomes).extracting(DeliveryEvent::type).containsOnly(EventType.SENT);
        assertEachSendCarriesItsMessageId(outcomes);
        assertThat(outcomes.stream().map(DeliveryEvent::eventId).distinct()).hasSize(sends.size());
        double hits = ledgerHits.getAsDouble();
        assertThat((double) (outcomes.size() - sends.size())).as("repeated SENT events = ledger hits").isEqualTo(hits);
        return hits;
    }

    private static Topics createTopics(String prefix) {
        Topics topics = new Topics(prefix);
        kafka.createTopics(topics, 6);
        return topics;
    }

    private static Map<String, String> env(String prefix, Map<String, String> extra) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("MAILER_TOPIC_PREFIX", prefix);
        env.put("PORT", "0");
        env.put("AWS_REGION", "us-east-1");
        env.put("SES_ENDPOINT", ses.endpoint());
        env.put("MAIL_FROM", "news@example.com");
        env.putAll(extra);
        return env;
    }

    private static List<SendRequest> sends(String batchId, int count) {
        return IntStream.range(0, count)
                .mapToObj(i -> Fixtures.send(batchId, i, batchId + i + "@example.com", Map.of("n", i), MESSAGE))
                .toList();
    }

    /** Writes the sends keyed by send id; returns, per partition, the offset after its last send. */
    private static Map<TopicPartition, Long> produce(Topics topics, List<SendRequest> sends) throws Exception {
        try (KafkaProducer<String, SendRequest> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 20), new StringSerializer(), topics.sends.valueSerde().serializer())) {
            List<Future<RecordMetadata>> written = new ArrayList<>();
            for (SendRequest s : sends) {
                written.add(producer.send(new ProducerRecord<>(topics.sends.name(), s.sendId(), s)));
            }
            return nextOffsets(written);
        }
    }

    /**
     * Writes the sends in one transaction per partition, each partition getting an equal share that is
     * a whole number of polls; returns, per partition, the offset after its last send (its commit marker
     * is there: a consumer never commits past it).
     */
    private static Map<TopicPartition, Long> produceInTransactions(Topics topics, List<SendRequest> sends)
            throws Exception {
        int partitions = 6;
        int perPartition = sends.size() / partitions;
        assertThat(perPartition % MAX_POLL_RECORDS).isZero();
        try (KafkaProducer<String, SendRequest> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "ovl-end-backlog",
                ProducerConfig.LINGER_MS_CONFIG, 20), new StringSerializer(), topics.sends.valueSerde().serializer())) {
            producer.initTransactions();
            List<Future<RecordMetadata>> written = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                producer.beginTransaction();
                for (SendRequest s : sends.subList(p * perPartition, (p + 1) * perPartition)) {
                    written.add(producer.send(new ProducerRecord<>(topics.sends.name(), p, s.sendId(), s)));
                }
                producer.commitTransaction();
            }
            return nextOffsets(written);
        }
    }

    private static Map<TopicPartition, Long> nextOffsets(List<Future<RecordMetadata>> written) throws Exception {
        Map<TopicPartition, Long> next = new HashMap<>();
        for (Future<RecordMetadata> f : written) {
            RecordMetadata m = f.get();
            next.merge(new TopicPartition(m.topic(), m.partition()), m.offset() + 1, Math::max);
        }
        return next;
    }

    /** The consumer group's committed offsets on sends, per partition. */
    private static Map<TopicPartition, Long> committed(String prefix) throws Exception {
        try (Admin admin = kafka.admin()) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(prefix + "dispatcher")
                    .partitionsToOffsetAndMetadata().get();
            return offsets.entrySet().stream().filter(e -> e.getKey().topic().equals(prefix + "sends")
                    && e.getValue() != null).collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        }
    }

    private TopicReader<DeliveryEvent> reader(Topics topics) {
        return new TopicReader<>(kafka.bootstrapServers(), topics.deliveryEvents.name(),
                topics.deliveryEvents.valueSerde().deserializer());
    }

    private List<DeliveryEvent> outcomes(String batchId) {
        return DeliveryEvents.outcomesOf(events, batchId);
    }

    /** The events of the batches of {@code sends}. */
    private List<DeliveryEvent> outcomes(List<SendRequest> sends) {
        Set<String> batchIds = sends.stream().map(SendRequest::batchId).collect(Collectors.toSet());
        return events.values().stream().filter(e -> batchIds.contains(e.batchId())).toList();
    }

    private static int healthStatus(ConfigurableApplicationContext dispatcher) throws Exception {
        String port = dispatcher.getEnvironment().getProperty("local.server.port");
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + port + "/api/v1/health")).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private Set<String> sentSendIds(String batchId) {
        return outcomes(batchId).stream().filter(e -> e.type() == EventType.SENT).map(DeliveryEvent::sendId)
                .collect(Collectors.toSet());
    }

    /** SES accepted exactly one message per recipient, and it is that recipient's rendered message. */
    private static void assertSesSawEachRecipientOnce(List<SendRequest> sends) {
        List<SesSandbox.SentMessage> sent = ses.sent();
        Map<String, Long> perRecipient = sent.stream()
                .collect(Collectors.groupingBy(m -> m.to().get(0), Collectors.counting()));
        Map<String, Long> duplicates = perRecipient.entrySet().stream().filter(e -> e.getValue() > 1)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        assertThat(duplicates).as("recipients SES accepted more than once").isEmpty();
        assertThat(sent).hasSize(sends.size());
        assertThat(sent).extracting(m -> m.to().get(0) + " " + m.headers().get("X-Mailer-Send-Id") + " " + m.text())
                .containsExactlyInAnyOrderElementsOf(sends.stream()
                        .map(s -> s.email() + " " + s.sendId() + " Hi " + s.variables().get("n")).toList());
    }

    /** Every event of a send carries the message id SES returned for that send. */
    private static void assertEachSendCarriesItsMessageId(List<DeliveryEvent> outcomes) {
        Map<String, String> bySendId = messageIdsBySendId();
        assertThat(outcomes).allSatisfy(e -> assertThat(e.sesMessageId()).as(e.sendId())
                .isEqualTo(bySendId.get(e.sendId())));
    }

    private static Map<String, String> messageIdsBySendId() {
        return ses.sent().stream().collect(Collectors.toMap(m -> m.headers().get("X-Mailer-Send-Id"),
                SesSandbox.SentMessage::messageId, (a, b) -> a + "," + b));
    }

    private static double deferred(MeterRegistry meters) {
        return counter(meters, "emails.sent", "outcome", "deferred");
    }

    private static double counter(MeterRegistry meters, String name, String... tags) {
        return meters.find(name).tags(tags).counters().stream().mapToDouble(Counter::count).sum();
    }
}
