package io.mailer.webhook.relay;

import io.mailer.schemas.webhooks.WebhookDelivery;
import io.mailer.schemas.webhooks.WebhookDelivery.Status;
import io.mailer.schemas.webhooks.WebhookEndpoint;
import io.mailer.schemas.webhooks.WebhookMessage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One endpoint's line in this replica: its own memory queue and up to {@code concurrency} requests
 * in flight (one while it is failing), so a slow or failing endpoint only ever holds up itself.
 *
 * <p>Order: messages carry an increasing {@code sequence}; the oldest that may go is sent first,
 * and a message waits while an older one of its send id is in flight or out in a retry tier
 * ({@code out}). That keeps every send id in order through retries, while different send ids go
 * out side by side (one request at a time per endpoint would cap it at 1 / round trip: ~10 events
 * a second to an endpoint 100 ms away). Each message out is known
 * with its tier partition: when this replica loses that partition the message will come back to
 * another replica, so it is forgotten here ({@link #forget}) instead of holding the endpoint for
 * ever; a replica that gains it learns what is parked there ({@link #restore}, read by
 * {@link ParkedMessages}) and keeps newer messages behind it, as the previous owner did.
 *
 * <p>Failure: the endpoint is parked. The failed message and everything queued go to the retry tier
 * of the current back-off level (10 s, 1 m, 10 m, 1 h, 3 h, 8 h, 8 h, ...), and new messages follow
 * them into a tier while the back-off lasts. When the oldest comes back due, it is the probe; its
 * success resumes the endpoint, its failure moves up a level. Memory stays bounded: beyond
 * {@code capacity}, the newest messages wait in the first tier. A 2xx delivers; 410 disables the
 * endpoint; failing for {@code disableAfter} without a success disables it; a message older than
 * {@code maxAge} is given up.
 */
final class EndpointQueue {

    private static final Logger log = LoggerFactory.getLogger(EndpointQueue.class);
    /** Messages one pick looks at for ones that may go (the others wait behind their send id). */
    static final int SCAN = 2_000;

    interface Settings {
        List<Duration> delays();

        Duration disableAfter();

        Duration maxAge();

        int capacity();

        int concurrency();
    }

    /** A message out in a retry tier: the tier partition holding it, and its send id. */
    private record Out(int partition, String sendId) {
    }

    private final String endpointId;
    private final EndpointDirectory directory;
    private final Poster sender;
    private final Outbox outbox;
    private final Settings settings;
    private final Clock clock;
    private final RelayMetrics metrics;
    private final AtomicInteger inMemory;
    private final AtomicInteger inFlightPosts;

    private final TreeMap<Long, Item> memory = new TreeMap<>();
    /** Messages out in a retry tier, by sequence. */
    private final TreeMap<Long, Out> out = new TreeMap<>();
    /** Per send id, the sequences of its messages out in a tier: a newer message of it waits for them. */
    private final Map<String, TreeSet<Long>> outBySend = new HashMap<>();
    /** Send ids with a request in flight (count of their messages in flight). */
    private final Map<String, Integer> busySends = new HashMap<>();
    private int inFlight;
    private boolean failing;
    private int level;
    private Instant nextAttemptAt = Instant.EPOCH;
    private Instant failingSince;

    EndpointQueue(String endpointId, EndpointDirectory directory, Poster sender, Outbox outbox, Settings settings,
            Clock clock, RelayMetrics metrics, AtomicInteger inMemory, AtomicInteger inFlightPosts) {
        this.endpointId = endpointId;
        this.directory = directory;
        this.sender = sender;
        this.outbox = outbox;
        this.settings = settings;
        this.clock = clock;
        this.metrics = metrics;
        this.inMemory = inMemory;
        this.inFlightPosts = inFlightPosts;
    }

    /** A new message (from delivery-events, a test or a replay). */
    synchronized void offer(Item item) {
        accept(item);
    }

    /** A message back from a retry tier, due. */
    synchronized void returned(Item item) {
        removeOut(item.seq());
        accept(item);
    }

    private void accept(Item item) {
        Instant now = clock.instant();
        if (failing && now.isBefore(nextAttemptAt)) {
            park(item, tierFor(Duration.between(now, nextAttemptAt)));
            return;
        }
        put(item);
        while (memory.size() > settings.capacity()) {
            // the newest wait in the first tier; older ones stay, so order holds when they return
            park(take(memory.lastKey()), 0);
        }
        pump();
    }

    /** Sends what may go: up to {@code concurrency} requests (one, the probe, while failing). */
    private void pump() {
        while (!memory.isEmpty() && inFlight < (failing ? 1 : settings.concurrency())) {
            WebhookEndpoint endpoint = directory.get(endpointId);
            if (endpoint == null || !endpoint.enabled()) {
                dropAll(endpoint == null ? "endpoint deleted" : "endpoint disabled");
                return;
            }
            if (inFlight > 0 && memory.size() < endpoint.batchSize()) {
                // a batching endpoint: another request only for a full batch, else when one answers —
                // starting one per arrival split batches of 100 into ~10 (WebhookRelayBenchmark: 1.4× the CPU, p99 11 s)
                return;
            }
            List<Item> batch = next(endpoint.batchSize());
            if (batch.isEmpty()) {
                return; // each waiting message has an older one of its send id in flight or in a tier
            }
            send(endpoint, batch);
        }
    }

    /**
     * The oldest messages that may go now, up to {@code size}: a message waits while an older one
     * of its send id is in flight or out in a tier (so each send id stays in order), and so does
     * every later message of that send id. Looks at most {@link #SCAN} messages.
     */
    private List<Item> next(int size) {
        List<Item> batch = new ArrayList<>();
        Set<String> held = new HashSet<>();
        int looked = 0;
        for (Item i : memory.values()) {
            if (batch.size() >= size || ++looked > SCAN) {
                break;
            }
            String send = i.message().sendId();
            if (held.contains(send) || busySends.containsKey(send) || olderOut(send, i.seq())) {
                held.add(send);
                continue;
            }
            batch.add(i);
        }
        batch.forEach(i -> take(i.seq()));
        return batch;
    }

    private boolean olderOut(String sendId, long seq) {
        TreeSet<Long> outs = outBySend.get(sendId);
        return outs != null && outs.first() < seq;
    }

    private void send(WebhookEndpoint endpoint, List<Item> batch) {
        inFlight++;
        boolean probe = failing;
        batch.forEach(i -> busySends.merge(i.message().sendId(), 1, Integer::sum));
        String id;
        String body;
        if (batch.size() == 1 && endpoint.batchSize() == 1) {
            id = batch.get(0).message().messageId();
            body = batch.get(0).message().payload();
        } else {
            id = Payloads.batchId(batch.stream().map(i -> i.message().messageId()).toList());
            body = Payloads.batchBody(batch.stream().map(i -> i.message().payload()).toList(), clock.instant());
        }
        inMemory.addAndGet(batch.size()); // in flight still counts as held
        inFlightPosts.incrementAndGet();
        sender.post(endpoint, id, body).whenComplete((attempt, error) -> {
            inMemory.addAndGet(-batch.size());
            Attempt a = error != null ? new Attempt(0, 0, error.toString()) : attempt;
            try {
                onResult(endpoint, id, batch, a, probe);
            } catch (RuntimeException e) {
                log.error("Webhook result handling failed for endpoint {}", endpointId, e);
            } finally {
                inFlightPosts.decrementAndGet();
            }
        });
    }

    private synchronized void onResult(WebhookEndpoint endpoint, String id, List<Item> batch, Attempt attempt, boolean probe) {
        inFlight--;
        batch.forEach(i -> busySends.computeIfPresent(i.message().sendId(), (k, n) -> n == 1 ? null : n - 1));
        Instant now = clock.instant();
        metrics.attempt(attempt);
        if (attempt.delivered()) {
            failing = false;
            level = 0;
            failingSince = null;
            boolean single = batch.size() == 1 && endpoint.batchSize() == 1;
            if (!single) {
                // one record per request: a batch is one message (its webhook-id) in the deliveries log
                WebhookMessage first = batch.get(0).message();
                outbox.record(new WebhookDelivery(id, endpointId, first.tenantId(), "batch", Status.DELIVERED, 1, attempt.status(),
                        attempt.latencyMs(), null, first.createdAt(), now, null, batch.size()));
            }
            for (Item i : batch) {
                if (single || i.message().attempt() > 0) {
                    outbox.record(delivery(i.message(), Status.DELIVERED, i.message().attempt() + 1, attempt, now, null));
                }
                i.source().release();
            }
            metrics.delivered(batch.size(), batch.get(0).message());
            pump();
            return;
        }
        if (attempt.gone()) {
            settleAll(batch, Status.DROPPED, attempt, now);
            disable(endpoint, "endpoint answered 410 Gone");
            return;
        }
        boolean backOff = true;
        if (!failing) {
            failing = true;
            level = 0;
            failingSince = now;
        } else if (probe) {
            // the one request of a failing endpoint failed: back off one tier further
            level = Math.min(level + 1, settings.delays().size() - 1);
        } else {
            backOff = false; // sent before the endpoint began failing: the back-off already set stays
        }
        for (Item i : batch) {
            if (i.message().firstFailedAt() != null && i.message().firstFailedAt().isBefore(failingSince)) {
                failingSince = i.message().firstFailedAt();
            }
        }
        if (Duration.between(failingSince, now).compareTo(settings.disableAfter()) >= 0) {
            settleAll(batch, Status.FAILED, attempt, now);
            disable(endpoint, "failing without a success since " + failingSince);
            return;
        }
        if (backOff) {
            nextAttemptAt = now.plus(settings.delays().get(level));
        }
        for (Item i : batch) {
            WebhookMessage failed = i.message().failedOnce(now);
            if (Duration.between(failed.createdAt(), now).compareTo(settings.maxAge()) >= 0) {
                outbox.record(delivery(failed, Status.FAILED, failed.attempt(), attempt, now, null));
                metrics.givenUp();
                i.source().release();
            } else {
                outbox.record(delivery(failed, Status.RETRYING, failed.attempt(), attempt, now, nextAttemptAt));
                park(new Item(failed, i.source(), i.seq()), level);
            }
        }
        // the rest waits out the back-off in Kafka, not in memory
        while (!memory.isEmpty()) {
            park(take(memory.firstKey()), level);
        }
    }

    private void disable(WebhookEndpoint endpoint, String reason) {
        log.warn("Disabling webhook endpoint {} of tenant {}: {}", endpoint.id(), endpoint.tenantId(), reason);
        metrics.disabled(reason.contains("410") ? "gone" : "failing");
        outbox.disable(endpoint, reason);
        dropAll(reason);
    }

    private void dropAll(String reason) {
        Instant now = clock.instant();
        while (!memory.isEmpty()) {
            Item i = take(memory.firstKey());
            outbox.record(delivery(i.message(), Status.DROPPED, i.message().attempt(), new Attempt(0, 0, reason), now, null));
            metrics.dropped();
            i.source().release();
        }
    }

    private void settleAll(List<Item> batch, Status status, Attempt attempt, Instant now) {
        for (Item i : batch) {
            outbox.record(delivery(i.message(), status, i.message().attempt() + 1, attempt, now, null));
            i.source().release();
        }
    }

    /**
     * This replica no longer owns these tier partitions: their messages come back elsewhere, so
     * nothing here waits for them any more.
     */
    synchronized void forget(Set<Integer> partitions) {
        List<Long> lost = out.entrySet().stream().filter(e -> partitions.contains(e.getValue().partition()))
                .map(Map.Entry::getKey).toList();
        lost.forEach(this::removeOut);
        if (!lost.isEmpty()) {
            pump();
        }
    }

    /**
     * A message the previous owner of a tier partition parked, found when this replica took the
     * partition over: newer messages wait behind it, and the endpoint is treated as failing until
     * the earliest restored message is due (the back-off it was on), as on the previous owner.
     */
    synchronized void restore(WebhookMessage message, int partition, int tier, Instant due) {
        addOut(message.sequence(), new Out(partition, message.sendId()));
        if (!failing) {
            failing = true;
            level = tier;
            nextAttemptAt = due;
            failingSince = message.firstFailedAt() == null ? clock.instant() : message.firstFailedAt();
        } else {
            level = Math.max(level, tier);
            nextAttemptAt = due.isBefore(nextAttemptAt) ? due : nextAttemptAt;
            if (message.firstFailedAt() != null && message.firstFailedAt().isBefore(failingSince)) {
                failingSince = message.firstFailedAt();
            }
        }
    }

    private void addOut(long seq, Out o) {
        out.put(seq, o);
        outBySend.computeIfAbsent(o.sendId(), k -> new TreeSet<>()).add(seq);
    }

    private void removeOut(long seq) {
        Out o = out.remove(seq);
        if (o != null) {
            TreeSet<Long> outs = outBySend.get(o.sendId());
            outs.remove(seq);
            if (outs.isEmpty()) {
                outBySend.remove(o.sendId());
            }
        }
    }

    private void park(Item item, int tier) {
        addOut(item.seq(), new Out(outbox.tierPartition(item.message(), tier), item.message().sendId()));
        metrics.parked();
        outbox.park(item.message(), tier).whenComplete((ok, error) -> {
            if (error == null) {
                item.source().release();
            } else {
                // not durable: keep it here and try again with the next message or retry
                log.warn("Could not park webhook message {} in tier {}: {}", item.message().messageId(), tier, error.toString());
                synchronized (this) {
                    removeOut(item.seq());
                    put(item);
                }
            }
        });
    }

    /** The longest tier that still returns the message by {@code wait}, else the shortest. */
    private int tierFor(Duration wait) {
        int tier = 0;
        for (int t = 0; t < settings.delays().size(); t++) {
            if (settings.delays().get(t).compareTo(wait) <= 0) {
                tier = t;
            }
        }
        return tier;
    }

    private void put(Item item) {
        if (memory.put(item.seq(), item) == null) {
            inMemory.incrementAndGet();
        }
    }

    private Item take(long seq) {
        Item i = memory.remove(seq);
        if (i != null) {
            inMemory.decrementAndGet();
        }
        return i;
    }

    private WebhookDelivery delivery(WebhookMessage m, Status status, int attempts, Attempt a, Instant now, Instant next) {
        return new WebhookDelivery(m.messageId(), m.endpointId(), m.tenantId(), m.eventType(), status, attempts,
                a.status() == 0 ? null : a.status(), a.latencyMs(), a.error(), m.createdAt(), now, next, 1);
    }

    synchronized Map<String, Object> state() {
        return Map.of("memory", memory.size(), "out", out.size(), "inFlight", inFlight, "failing", failing, "level", level);
    }

    /** Messages this queue waits for from retry tiers (tests). */
    synchronized int out() {
        return out.size();
    }
}
