package io.mailer.dispatcher.kafka;

import io.mailer.dispatcher.send.SendOutcome;
import io.mailer.schemas.events.SendRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.springframework.kafka.support.Acknowledgment;

/**
 * One poll of {@code sends} from the start of its sends to its acknowledgment: the outcomes, the writes
 * of those outcomes (delivery event, retry hand-over), started together on the writer thread once the
 * poll's last outcome is known, and the ways it ends: acknowledged, nacked from a deferred send, or
 * rewound (committed up to a deferred send, the consumer sought back). What is committed is dropped
 * from the ledger view, which holds an entry only while its send may come back.
 * {@link SendsListener} decides which; only the consumer thread reads or changes it after construction.
 */
final class PollInProgress {

    private final Polls polls;
    /** Every record of the poll, the poison one (if any) and those after it included. */
    private final List<ConsumerRecord<String, SendRequest>> records;
    /** Index of the first record that is not a send request, or -1. */
    private final int poison;
    /** The records before {@link #poison}: the ones being sent. */
    private final List<ConsumerRecord<String, SendRequest>> sends;
    private final List<CompletableFuture<SendOutcome>> outcomes;
    private final CompletableFuture<Void> settled;
    private CompletableFuture<Void> written;
    /** The acknowledgment of the latest delivery of these records (a retried listener call gets a new one). */
    private Acknowledgment ack;

    PollInProgress(Polls polls, List<ConsumerRecord<String, SendRequest>> records, Acknowledgment ack) {
        this.polls = polls;
        this.records = records;
        this.poison = firstPoison(records);
        this.sends = poison < 0 ? records : records.subList(0, poison);
        this.ack = ack;
        List<SendRequest> requests = new ArrayList<>(sends.size());
        for (ConsumerRecord<String, SendRequest> record : sends) {
            requests.add(record.value());
        }
        this.outcomes = polls.processor.processAll(requests);
        this.settled = CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new));
        // all of the poll's writes at once, when its last outcome is known: the producer then sends
        // them in a few large batches. Written one by one as each outcome arrived, they trickled
        // into small produce requests and single mode paid ~35 % more CPU per send at 0 ms
        this.written = settled.thenComposeAsync(ignored -> writeAll(), polls.writer);
    }

    private CompletableFuture<Void> writeAll() {
        List<CompletableFuture<?>> writes = new ArrayList<>(outcomes.size());
        for (int i = 0; i < outcomes.size(); i++) {
            writes.add(polls.writes.write(sends.get(i), outcomes.get(i).join()));
        }
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
    }

    /** Whether {@code other} is a redelivery of the same records (the error handler retrying a listener call). */
    boolean sameRecords(List<ConsumerRecord<String, SendRequest>> other) {
        return other.size() == records.size() && !other.isEmpty() && same(other.get(0), records.get(0))
                && same(other.get(other.size() - 1), records.get(records.size() - 1));
    }

    /** The same poll, delivered again with {@code latest}: its sends are not started again. */
    PollInProgress redelivered(Acknowledgment latest) {
        this.ack = latest;
        return this;
    }

    /** The first record that is not a send request, if any: the records before it are the poll's sends. */
    Optional<ConsumerRecord<String, SendRequest>> poisonRecord() {
        return poison < 0 ? Optional.empty() : Optional.of(records.get(poison));
    }

    boolean isSettled() {
        return settled.isDone();
    }

    /** Every outcome is known (outcome futures never fail: the strategies turn failures into outcomes). */
    void awaitSettled() {
        settled.join();
    }

    /**
     * Waits for every outcome and for Kafka's acknowledgment of their writes; returns the index of the
     * first deferred send (not acknowledged, redelivered), or -1. If an earlier set of writes failed
     * (Kafka did not ack), they are all issued again: event ids are deterministic, so a repeated event
     * is deduplicated downstream, and a repeated hand-over is a redelivery.
     */
    int finish() {
        awaitSettled();
        if (written.isCompletedExceptionally()) {
            written = writeAll();
        }
        polls.writes.awaitAll(written);
        for (int i = 0; i < outcomes.size(); i++) {
            if (outcomes.get(i).join() instanceof SendOutcome.Deferred) {
                return i;
            }
        }
        return -1;
    }

    /** Whether the send at {@code index} was deferred while a view caught up; the poll must be finished. */
    boolean deferredForAView(int index) {
        return outcomes.get(index).join() instanceof SendOutcome.Deferred d && d.reason().endsWith("-catching-up");
    }

    /** The records of the poll (its sends, and a poison record and those after it, if any). */
    int size() {
        return records.size();
    }

    /** Commits every send of the poll (the poll must hold no poison record). */
    void acknowledge() {
        ack.acknowledge();
        forgetCommitted(sends.size());
    }

    /** Commits the records before {@code index}; it and those after come again after {@code wait}. */
    void nack(int index, java.time.Duration wait) {
        forgetCommitted(index);
        ack.nack(index, wait);
    }

    /**
     * Commits the records before {@code index} and seeks every partition back to its first record from
     * there on (in this poll, else in {@code later}, the polls fetched after it), so those are redelivered.
     */
    void rewind(int index, List<PollInProgress> later, Consumer<?, ?> consumer) {
        if (index > 0) {
            ack.acknowledge(index - 1);
        }
        List<ConsumerRecord<String, SendRequest>> again = new ArrayList<>(records.subList(index, records.size()));
        for (PollInProgress next : later) {
            again.addAll(next.records);
        }
        Map<TopicPartition, Long> seeks = new LinkedHashMap<>();
        for (ConsumerRecord<String, SendRequest> r : again) {
            seeks.putIfAbsent(new TopicPartition(r.topic(), r.partition()), r.offset());
        }
        Set<TopicPartition> assigned = consumer.assignment();
        seeks.forEach((tp, offset) -> {
            if (assigned.contains(tp)) {
                consumer.seek(tp, offset);
            }
        });
        forgetCommitted(index);
    }

    /** The ledger view holds an entry only while its send may come back: not once its record is committed. */
    private void forgetCommitted(int count) {
        List<String> sendIds = new ArrayList<>(count);
        for (int i = 0; i < count && i < sends.size(); i++) {
            sendIds.add(sends.get(i).value().sendId());
        }
        polls.ledger.view().forget(sendIds);
    }

    private static int firstPoison(List<ConsumerRecord<String, SendRequest>> records) {
        for (int i = 0; i < records.size(); i++) {
            if (records.get(i).value() == null) {
                return i;
            }
        }
        return -1;
    }

    private static boolean same(ConsumerRecord<?, ?> a, ConsumerRecord<?, ?> b) {
        return a.offset() == b.offset() && a.partition() == b.partition() && a.topic().equals(b.topic());
    }
}
