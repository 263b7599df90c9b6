package io.mailer.webhook.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.schemas.webhooks.WebhookDelivery;
import io.mailer.schemas.webhooks.WebhookDelivery.Status;
import io.mailer.schemas.webhooks.WebhookEndpoint;
import io.mailer.schemas.webhooks.WebhookMessage;
import io.mailer.schemas.webhooks.WebhookSecret;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The endpoint queue's rules with a hand-moved clock, a stub HTTP poster that answers at once and an
 * outbox that records what would go to Kafka.
 */
class EndpointQueueTest {

    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    final MutableClock clock = new MutableClock(T0);
    final List<String> posted = new ArrayList<>();
    final List<Integer> answers = new ArrayList<>();
    final List<String> parked = new ArrayList<>();
    final List<Integer> parkedTiers = new ArrayList<>();
    final List<WebhookDelivery> records = new ArrayList<>();
    final List<String> disabled = new ArrayList<>();
    final EndpointDirectory directory = new EndpointDirectory(null, Map.of());
    final RelaySettings settings = new RelaySettings(List.of(Duration.ofSeconds(10), Duration.ofMinutes(1), Duration.ofMinutes(10),
            Duration.ofHours(1), Duration.ofHours(3), Duration.ofHours(8)), Duration.ofHours(24), Duration.ofHours(72), 3, 4);
    final AtomicInteger inMemory = new AtomicInteger();
    long seq;

    final Outbox outbox = new Outbox() {
        @Override
        public CompletableFuture<?> park(WebhookMessage message, int tier) {
            parked.add(message.messageId());
            parkedTiers.add(tier);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public int tierPartition(WebhookMessage message, int tier) {
            return message.sendId().equals("bat_2-0") ? 1 : 0;
        }

        @Override
        public void record(WebhookDelivery delivery) {
            records.add(delivery);
        }

        @Override
        public void disable(WebhookEndpoint endpoint, String reason) {
            disabled.add(reason);
            directory.apply(endpoint.disabled(reason, clock.instant()));
        }
    };

    EndpointQueue queue(int batchSize) {
        directory.apply(new WebhookEndpoint("wh_1", "acme", "https://93.184.215.14/h", List.of(), null, true, null, null,
                List.of(new WebhookSecret("whsec_AAAA", null)), batchSize, T0, T0, 1));
        Poster poster = (endpoint, id, body) -> {
            posted.add(id);
            int status = answers.isEmpty() ? 200 : answers.remove(0);
            return CompletableFuture.completedFuture(new Attempt(status, 5, status == 0 ? "ConnectException" : null));
        };
        return new EndpointQueue("wh_1", directory, poster, outbox, settings, clock,
                new RelayMetrics(new SimpleMeterRegistry(), clock, inMemory), inMemory, new AtomicInteger());
    }

    /** A poster whose answers the test gives, one request at a time. */
    final List<CompletableFuture<Attempt>> pending = new ArrayList<>();

    EndpointQueue deferredQueue() {
        directory.apply(new WebhookEndpoint("wh_1", "acme", "https://93.184.215.14/h", List.of(), null, true, null, null,
                List.of(new WebhookSecret("whsec_AAAA", null)), 1, T0, T0, 1));
        Poster poster = (endpoint, id, body) -> {
            posted.add(id);
            CompletableFuture<Attempt> answer = new CompletableFuture<>();
            pending.add(answer);
            return answer;
        };
        return new EndpointQueue("wh_1", directory, poster, outbox, settings, clock,
                new RelayMetrics(new SimpleMeterRegistry(), clock, inMemory), inMemory, new AtomicInteger());
    }

    Item item(String id, String sendId) {
        long s = ++seq;
        return new Item(new WebhookMessage(id, "wh_1", "acme", sendId, "email.sent", "{}", 0, s, clock.instant(), null),
                Source.none(), s);
    }

    @Test
    void shouldSendDifferentSendIdsSideBySideButEachSendIdInOrder() {
        EndpointQueue q = deferredQueue();
        // s1's two events, then five other send ids; 4 requests may be in flight
        q.offer(item("s1-sent", "s1"));
        q.offer(item("s1-delivered", "s1"));
        for (int i = 2; i <= 6; i++) {
            q.offer(item("s" + i + "-sent", "s" + i));
        }
        assertThat(posted).containsExactly("s1-sent", "s2-sent", "s3-sent", "s4-sent");

        // s1's first answer lets its second event go (it is the oldest waiting), then the rest follow
        pending.get(0).complete(new Attempt(204, 5, null));
        assertThat(posted).containsExactly("s1-sent", "s2-sent", "s3-sent", "s4-sent", "s1-delivered");
        pending.get(1).complete(new Attempt(204, 5, null));
        pending.get(2).complete(new Attempt(204, 5, null));
        assertThat(posted).endsWith("s5-sent", "s6-sent");
        pending.forEach(p -> p.complete(new Attempt(204, 5, null)));
        assertThat(posted).hasSize(7);
        assertThat(q.state()).containsEntry("inFlight", 0).containsEntry("memory", 0);
    }

    @Test
    void shouldSendOneProbeAtATimeWhileFailingAndBackOffOnlyOnTheProbesFailure() {
        EndpointQueue q = deferredQueue();
        q.offer(item("a", "sa"));
        q.offer(item("b", "sb"));
        // both fail: the first failure parks (tier 0); the second was sent before that and does not back off further
        pending.get(0).complete(new Attempt(503, 5, null));
        pending.get(1).complete(new Attempt(503, 5, null));
        assertThat(parkedTiers).containsExactly(0, 0);
        assertThat(q.state()).containsEntry("level", 0).containsEntry("failing", true);

        // after the back-off, both come back: one request (the probe) at a time
        clock.advance(Duration.ofSeconds(10));
        q.returned(new Item(new WebhookMessage("a", "wh_1", "acme", "sa", "email.sent", "{}", 1, 1, T0, T0), Source.none(), 1));
        q.returned(new Item(new WebhookMessage("b", "wh_1", "acme", "sb", "email.sent", "{}", 1, 2, T0, T0), Source.none(), 2));
        assertThat(posted).containsExactly("a", "b", "a");
        pending.get(2).complete(new Attempt(204, 5, null));
        assertThat(posted).containsExactly("a", "b", "a", "b");
    }

    Item item(String id) {
        return item(id, 0, clock.instant(), null);
    }

    Item item(String id, int attempt, Instant createdAt, Instant firstFailedAt) {
        long s = ++seq;
        return new Item(new WebhookMessage(id, "wh_1", "acme", "bat_1-0", "email.sent", "{}", attempt, s, createdAt, firstFailedAt),
                Source.none(), s);
    }

    @Test
    void shouldParkTheFailedMessageAndEverythingAfterItUntilTheBackOffEndsThenSendInOrder() {
        EndpointQueue q = queue(1);
        answers.add(503);

        // the first fails: parked in tier 0 (10 s); the next two arrive during the back-off and follow it
        q.offer(item("m1"));
        Item m2 = item("m2");
        Item m3 = item("m3");
        q.offer(m2);
        q.offer(m3);
        assertThat(posted).containsExactly("m1");
        assertThat(parked).containsExactly("m1", "m2", "m3");
        assertThat(records).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo(Status.RETRYING);
            assertThat(r.lastStatusCode()).isEqualTo(503);
            assertThat(r.nextAttemptAt()).isEqualTo(T0.plusSeconds(10));
        });

        // back after 10 s, but the younger ones first: nothing goes before m1
        clock.advance(Duration.ofSeconds(10));
        q.returned(m3);
        q.returned(m2);
        assertThat(posted).containsExactly("m1");
        q.returned(item1Again());
        assertThat(posted).containsExactly("m1", "m1", "m2", "m3");
        assertThat(records.stream().filter(r -> r.status() == Status.DELIVERED).map(WebhookDelivery::attempts)).containsExactly(2, 1, 1);
    }

    @Test
    void shouldForgetAMessageParkedInATierPartitionThisReplicaLostAndGoOn() {
        EndpointQueue q = queue(1);
        answers.add(503);
        q.offer(item("m1"));
        assertThat(parked).containsExactly("m1");

        // after the back-off a newer message waits for m1, which is out in partition 0 of the tier
        clock.advance(Duration.ofSeconds(11));
        q.offer(item("m2"));
        assertThat(posted).containsExactly("m1");

        // losing another partition changes nothing; losing partition 0 (m1 now returns to its new owner) lets m2 go
        q.forget(java.util.Set.of(1));
        assertThat(posted).containsExactly("m1");
        q.forget(java.util.Set.of(0));
        assertThat(posted).containsExactly("m1", "m2");
        assertThat(q.out()).isZero();
    }

    @Test
    void shouldKeepNewerMessagesBehindOnesThePreviousOwnerParked() {
        EndpointQueue q = queue(1);
        // taken over: m1 was parked by the previous owner in tier 2 (10 min), due at T0 + 10 min
        WebhookMessage m1 = new WebhookMessage("m1", "wh_1", "acme", "bat_1-0", "email.sent", "{}", 3, 1, T0, T0);
        seq = 1;
        q.restore(m1, 0, 2, T0.plus(Duration.ofMinutes(10)));

        // a newer event during that back-off follows it into a tier; one after it waits in memory
        Item m2 = item("m2");
        q.offer(m2);
        assertThat(parked).containsExactly("m2");
        assertThat(parkedTiers).containsExactly(2); // the longest tier that returns it by the probe: 10 min
        clock.advance(Duration.ofMinutes(10));
        q.offer(item("m3"));
        assertThat(posted).isEmpty();

        // the parked ones come back (the younger first): still oldest first
        q.returned(m2);
        assertThat(posted).isEmpty();
        q.returned(new Item(m1.failedOnce(T0), Source.none(), 1));
        assertThat(posted).containsExactly("m1", "m2", "m3");
        assertThat(q.out()).isZero();
    }

    private Item item1Again() {
        return new Item(new WebhookMessage("m1", "wh_1", "acme", "bat_1-0", "email.sent", "{}", 1, 1, T0, T0), Source.none(), 1);
    }

    @Test
    void shouldBackOffOneTierFurtherAfterEachFailedProbe() {
        EndpointQueue q = queue(1);
        answers.addAll(List.of(0, 0, 0));
        q.offer(item("m1"));
        clock.advance(Duration.ofSeconds(10));
        q.returned(new Item(new WebhookMessage("m1", "wh_1", "acme", "s", "t", "{}", 1, 1, T0, T0), Source.none(), 1));
        clock.advance(Duration.ofMinutes(1));
        q.returned(new Item(new WebhookMessage("m1", "wh_1", "acme", "s", "t", "{}", 2, 1, T0, T0), Source.none(), 1));

        assertThat(parkedTiers).containsExactly(0, 1, 2);
        assertThat(records).extracting(WebhookDelivery::attempts).containsExactly(1, 2, 3);
        assertThat(records).extracting(WebhookDelivery::lastError).containsOnly("ConnectException");
    }

    @Test
    void shouldDisableAnEndpointFailingFor24HoursWithoutASuccess() {
        EndpointQueue q = queue(1);
        answers.addAll(List.of(500, 500));
        q.offer(item("m1"));
        clock.advance(Duration.ofHours(24));
        q.returned(new Item(new WebhookMessage("m1", "wh_1", "acme", "s", "t", "{}", 1, 1, T0, T0), Source.none(), 1));
        q.offer(item("m2"));

        assertThat(disabled).singleElement().satisfies(r -> assertThat(r).contains("failing without a success since " + T0));
        assertThat(directory.get("wh_1").enabled()).isFalse();
        assertThat(posted).containsExactly("m1", "m1");
        assertThat(records).extracting(WebhookDelivery::status).containsExactly(Status.RETRYING, Status.FAILED, Status.DROPPED);
    }

    @Test
    void shouldGiveUpAMessageOlderThan72Hours() {
        EndpointQueue q = queue(1);
        answers.add(502);
        q.offer(item("old", 5, T0.minus(Duration.ofHours(72)), null));

        assertThat(records).singleElement().satisfies(r -> assertThat(r.status()).isEqualTo(Status.FAILED));
        assertThat(parked).isEmpty();
        assertThat(disabled).isEmpty();
    }

    @Test
    void shouldDisableAtOnceOn410() {
        EndpointQueue q = queue(1);
        answers.add(410);
        q.offer(item("m1"));

        assertThat(disabled).singleElement().satisfies(r -> assertThat(r).contains("410"));
        assertThat(records).extracting(WebhookDelivery::status).containsExactly(Status.DROPPED);
    }

    @Test
    void shouldKeepTheOldestInMemoryAndParkTheNewestBeyondCapacity() {
        // a request in flight that does not answer: everything else queues (capacity 3)
        directory.apply(new WebhookEndpoint("wh_1", "acme", "https://93.184.215.14/h", List.of(), null, true, null, null,
                List.of(new WebhookSecret("whsec_AAAA", null)), 1, T0, T0, 1));
        CompletableFuture<Attempt> pending = new CompletableFuture<>();
        EndpointQueue q = new EndpointQueue("wh_1", directory, (e, id, body) -> {
            posted.add(id);
            return posted.size() == 1 ? pending : CompletableFuture.completedFuture(new Attempt(200, 1, null));
        }, outbox, settings, clock, new RelayMetrics(new SimpleMeterRegistry(), clock, inMemory), inMemory, new AtomicInteger());
        List<Item> items = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            items.add(item("m" + i));
            q.offer(items.get(i - 1));
        }
        assertThat(parked).containsExactly("m5", "m6");
        assertThat(parkedTiers).containsOnly(0);

        // when the first answers, the three in memory go; the parked two only after they are back
        pending.complete(new Attempt(200, 1, null));
        assertThat(posted).containsExactly("m1", "m2", "m3", "m4");
        q.returned(items.get(5));
        assertThat(posted).as("m6 waits for m5").hasSize(4);
        q.returned(items.get(4));
        assertThat(posted).containsExactly("m1", "m2", "m3", "m4", "m5", "m6");
        assertThat(inMemory.get()).isZero();
    }

    @Test
    void shouldUseABatchIdForEveryRequestOfABatchingEndpointEvenWithOneEvent() {
        EndpointQueue q = queue(2);
        // the stub answers at once, so each offer is sent alone
        q.offer(item("a"));
        q.offer(item("b"));
        assertThat(posted).hasSize(2).allMatch(id -> id.startsWith("msg_batch_")).doesNotHaveDuplicates();
    }

    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
