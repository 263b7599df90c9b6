package io.mailer.dispatcher.ledger;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;

/**
 * What this replica must know of {@code sends-ledger}: the entries of sends it may still be handed
 * again, and nothing else. The ledger is co-partitioned with {@code sends} (same key, same number
 * of partitions), so the sends of {@code sends} partition p are recorded in ledger partition p.
 *
 * <p>A send can be handed to this replica again only while its {@code sends} record is not
 * committed. So the view holds, per owned partition:
 * <ul>
 *   <li>entries this replica wrote, until their record is committed ({@link #forget}), then
 *       {@code committedHorizon} longer (the same send id re-published soon after);</li>
 *   <li>on taking a partition over, the entries written since the first uncommitted record was
 *       produced (no entry for it or a later record can be older), read from the ledger and kept
 *       for {@code readHorizon}, long enough for the redelivered records to come through.</li>
 * </ul>
 * Memory per replica is therefore about (records fetched but not committed) + (sends per second ×
 * {@code committedHorizon}) + (ledger entries written since the oldest uncommitted record, for
 * {@code readHorizon} after a takeover), not the history of every send. Until a partition's entries are read, {@link #isCaughtUpFor} is false and
 * the send is deferred (redelivered), never sent without the ledger.
 */
public final class LedgerView extends TopicFollower {

    /** Clock difference tolerated between the producers of {@code sends} and of the ledger. */
    static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    private record Entry(String messageId, int partition, long expiresAtMs) {
    }

    /** An expiry given to an entry: the entry goes at {@code atMs} unless it has a later expiry by then. */
    private record Expiry(String sendId, long atMs) {
    }

    /** A takeover: read ledger partition {@code partition} for the sends at or after {@code committed}. */
    private record Assignment(int partition, Long committed, CompletableFuture<Void> caughtUp) {
    }

    private final String ledgerTopic;
    private final String sendsTopic;
    private final Duration readHorizon;
    private final Duration committedHorizon;
    private final KafkaConsumer<String, String> ledger;
    private final KafkaConsumer<byte[], byte[]> sendsProbe;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    /**
     * The expiries given, one queue per horizon, so each is in time order and a sweep visits only what
     * expired: scanning every entry each second was ~12 % of the replica's CPU samples at 4,000 sends/s.
     */
    private final ConcurrentLinkedQueue<Expiry> committedExpiries = new ConcurrentLinkedQueue<>();
    private final ArrayDeque<Expiry> readExpiries = new ArrayDeque<>();
    private final Set<Integer> awaiting = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<Assignment> assignments = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Collection<Integer>> revocations = new ConcurrentLinkedQueue<>();
    /** Ledger partitions being followed, with the end offset to reach before the takeover is complete. */
    private final Map<Integer, Long> following = new HashMap<>();
    private final Map<Integer, List<CompletableFuture<Void>>> pending = new HashMap<>();
    /** The committed sends offset each followed partition was taken over at (null: none). */
    private final Map<Integer, Long> committedOf = new HashMap<>();
    private volatile int partitions = -1;

    public LedgerView(Map<String, Object> consumerConfig, String ledgerTopic, String sendsTopic, Duration readHorizon,
            Duration committedHorizon) {
        super(ledgerTopic);
        this.committedHorizon = committedHorizon;
        this.ledgerTopic = ledgerTopic;
        this.sendsTopic = sendsTopic;
        this.readHorizon = readHorizon;
        Map<String, Object> config = readerConfig(consumerConfig);
        this.ledger = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
        Map<String, Object> probe = new HashMap<>(config);
        probe.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        this.sendsProbe = new KafkaConsumer<>(probe, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    public Optional<String> acceptedMessageId(String sendId) {
        Entry e = entries.get(sendId);
        return e == null ? Optional.empty() : Optional.of(e.messageId());
    }

    /** Records an entry this replica just wrote; kept until its send's record is committed. */
    public void putLocal(String sendId, String messageId) {
        entries.put(sendId, new Entry(messageId, partitionOf(sendId), Long.MAX_VALUE));
    }

    /**
     * The sends' records are committed: a redelivery can no longer bring them back, so their entries
     * only stay {@code committedHorizon} longer, for the same send id arriving again as a new record
     * soon after (a re-published send).
     */
    public void forget(Collection<String> sendIds) {
        long expiresAt = System.currentTimeMillis() + committedHorizon.toMillis();
        for (String id : sendIds) {
            Entry e = entries.computeIfPresent(id, (k, old) -> old.expiresAtMs() <= expiresAt ? old
                    : new Entry(old.messageId(), old.partition(), expiresAt));
            if (e != null && e.expiresAtMs() == expiresAt) {
                committedExpiries.add(new Expiry(id, expiresAt));
            }
        }
    }

    /** False while the partition of {@code sendId} was taken over and its ledger entries are not read yet. */
    public boolean isCaughtUpFor(String sendId) {
        if (awaiting.isEmpty()) {
            return true;
        }
        return partitions > 0 && !awaiting.contains(partitionOf(sendId));
    }

    /**
     * Takes over {@code sends} partitions; {@code committed} is the group's committed offset of each
     * (null: none). Completes when every entry that may concern their uncommitted records is read.
     */
    public CompletableFuture<Void> assign(Map<Integer, Long> committed) {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        committed.forEach((partition, offset) -> {
            CompletableFuture<Void> done = new CompletableFuture<>();
            awaiting.add(partition);
            assignments.add(new Assignment(partition, offset, done));
            all.add(done);
        });
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    /** Gives partitions up: their entries go (whoever owns them next reads them again). */
    public void revoke(Collection<Integer> sendsPartitions) {
        Set<Integer> gone = Set.copyOf(sendsPartitions);
        entries.values().removeIf(e -> gone.contains(e.partition()));
        awaiting.removeAll(gone);
        revocations.add(gone);
    }

    public int size() {
        return entries.size();
    }

    public int partitionsAwaiting() {
        return awaiting.size();
    }

    int partitionOf(String sendId) {
        int n = partitions;
        // the default partitioner's choice for a keyed record: where both the send and its entry live
        return n <= 0 ? -1 : Utils.toPositive(Utils.murmur2(sendId.getBytes(java.nio.charset.StandardCharsets.UTF_8))) % n;
    }

    @Override
    protected void wakeup() {
        ledger.wakeup();
    }

    @Override
    protected void closeClients() {
        pending.values().forEach(list -> list.forEach(f -> f.completeExceptionally(new IllegalStateException("stopped"))));
        ledger.close(Duration.ofSeconds(5));
        sendsProbe.close(Duration.ofSeconds(5));
    }

    /** Every followed partition is taken over again, from its takeover point, before its sends go on. */
    @Override
    protected void onFailure() {
        for (Integer p : following.keySet()) {
            awaiting.add(p);
            assignments.add(new Assignment(p, committedOf.get(p), new CompletableFuture<>()));
        }
        following.clear();
    }

    @Override
    protected void readUntilStopped() {
        int ledgerPartitions = ledger.partitionsFor(ledgerTopic, Duration.ofSeconds(60)).size();
        int sendsPartitions = sendsProbe.partitionsFor(sendsTopic, Duration.ofSeconds(60)).size();
        if (ledgerPartitions == 0 || sendsPartitions == 0) {
            throw new IllegalStateException(ledgerTopic + " or " + sendsTopic + " does not exist (yet)");
        }
        if (ledgerPartitions != sendsPartitions) {
            throw new IllegalStateException(ledgerTopic + " has " + ledgerPartitions + " partitions and " + sendsTopic
                    + " " + sendsPartitions + ": they must be equal (co-partitioned) for the ledger to hold");
        }
        partitions = ledgerPartitions;
        following();
        long nextSweep = 0;
        while (isRunning()) {
            applyRevocations();
            applyAssignments();
            if (following.isEmpty()) {
                sleepQuietly(50);
            } else {
                read(ledger.poll(Duration.ofMillis(50)));
            }
            completeReached();
            long now = System.currentTimeMillis();
            if (now >= nextSweep) {
                sweep(committedExpiries, now);
                sweep(readExpiries, now);
                nextSweep = now + 1_000;
            }
        }
    }

    private void read(ConsumerRecords<String, String> records) {
        long expiresAt = System.currentTimeMillis() + readHorizon.toMillis();
        for (ConsumerRecord<String, String> r : records) {
            if (r.key() == null || !following.containsKey(r.partition())) {
                continue;
            }
            if (r.value() == null) {
                entries.remove(r.key());
            } else {
                // an entry of ours (no expiry) stays as it is
                if (entries.putIfAbsent(r.key(), new Entry(r.value(), r.partition(), expiresAt)) == null) {
                    readExpiries.add(new Expiry(r.key(), expiresAt));
                }
            }
        }
    }

    /** Removes the entries whose expiry passed; a queue's order holds unless the wall clock steps back. */
    private void sweep(Queue<Expiry> expiries, long now) {
        for (Expiry x = expiries.peek(); x != null && x.atMs() < now; x = expiries.peek()) {
            expiries.poll();
            entries.computeIfPresent(x.sendId(), (k, e) -> e.expiresAtMs() < now ? null : e);
        }
    }

    private void applyRevocations() {
        Collection<Integer> gone;
        boolean changed = false;
        while ((gone = revocations.poll()) != null) {
            for (Integer p : gone) {
                changed |= following.remove(p) != null;
                committedOf.remove(p);
                List<CompletableFuture<Void>> waiting = pending.remove(p);
                if (waiting != null) {
                    waiting.forEach(f -> f.complete(null));
                }
            }
        }
        if (changed) {
            ledger.assign(following.keySet().stream().map(p -> new TopicPartition(ledgerTopic, p)).toList());
        }
    }

    private void applyAssignments() {
        List<Assignment> taken = new ArrayList<>();
        Assignment a;
        while ((a = assignments.poll()) != null) {
            taken.add(a);
        }
        if (taken.isEmpty()) {
            return;
        }
        Set<Integer> all = new HashSet<>(following.keySet());
        taken.forEach(t -> all.add(t.partition()));
        List<TopicPartition> tps = all.stream().map(p -> new TopicPartition(ledgerTopic, p)).toList();
        ledger.assign(tps);
        Map<TopicPartition, Long> ends = ledger.endOffsets(tps);
        for (Assignment t : taken) {
            TopicPartition tp = new TopicPartition(ledgerTopic, t.partition());
            ledger.seek(tp, startOffset(t, ends.get(tp)));
            following.put(t.partition(), ends.get(tp));
            committedOf.put(t.partition(), t.committed());
            pending.computeIfAbsent(t.partition(), k -> new ArrayList<>()).add(t.caughtUp());
        }
    }

    /**
     * Where the entries of a taken-over partition's uncommitted sends begin: none can be older than
     * the first uncommitted record of {@code sends} (a send is recorded after it was produced).
     */
    private long startOffset(Assignment a, long end) {
        TopicPartition sends = new TopicPartition(sendsTopic, a.partition());
        TopicPartition ledgerTp = new TopicPartition(ledgerTopic, a.partition());
        if (a.committed() == null) {
            return beginning(ledgerTp);
        }
        long sendsEnd = sendsProbe.endOffsets(List.of(sends)).get(sends);
        if (a.committed() >= sendsEnd) {
            return end; // nothing uncommitted: no entry of this partition can be needed
        }
        sendsProbe.assign(List.of(sends));
        sendsProbe.seek(sends, a.committed());
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            for (ConsumerRecord<byte[], byte[]> r : sendsProbe.poll(Duration.ofMillis(200))) {
                long from = r.timestamp() - CLOCK_SKEW.toMillis();
                OffsetAndTimestamp at = ledger.offsetsForTimes(Map.of(ledgerTp, Math.max(0, from))).get(ledgerTp);
                return at == null ? end : at.offset();
            }
        }
        // the first uncommitted record could not be read (compacted away, transaction markers): read it all
        return beginning(ledgerTp);
    }

    private long beginning(TopicPartition tp) {
        return ledger.beginningOffsets(List.of(tp)).get(tp);
    }

    private void completeReached() {
        pending.entrySet().removeIf(e -> {
            int p = e.getKey();
            Long target = following.get(p);
            if (target != null && ledger.position(new TopicPartition(ledgerTopic, p)) < target) {
                return false;
            }
            awaiting.remove(p);
            e.getValue().forEach(f -> f.complete(null));
            return true;
        });
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
