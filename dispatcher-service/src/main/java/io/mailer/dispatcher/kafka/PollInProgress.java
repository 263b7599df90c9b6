package io.mailer.dispatcher.kafka;

import io.mailer.dispatcher.send.SendOutcome;
import io.mailer.schemas.events.SendRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.support.Acknowledgment;

/**
 * One poll of {@code sends} whose sends have been started: their outcomes, and the writes of those
 * outcomes (delivery event, retry hand-over), started together on {@code writer} once the poll's
 * last outcome is known.
 * Only the consumer thread reads or changes it after construction.
 */
final class PollInProgress {

    /** Every record of the poll, the poison one (if any) and those after it included. */
    final List<ConsumerRecord<String, SendRequest>> records;
    /** Index of the first record that is not a send request, or -1. */
    final int poison;
    /** The records before {@link #poison}: the ones being sent. */
    final List<ConsumerRecord<String, SendRequest>> sends;
    final List<CompletableFuture<SendOutcome>> outcomes;
    private final CompletableFuture<Void> settled;
    private final BiFunction<ConsumerRecord<String, SendRequest>, SendOutcome, CompletableFuture<?>> write;
    private CompletableFuture<Void> written;
    /** The acknowledgment of the latest delivery of these records (a retried listener call gets a new one). */
    Acknowledgment ack;

    PollInProgress(List<ConsumerRecord<String, SendRequest>> records, int poison, List<CompletableFuture<SendOutcome>> outcomes,
            Acknowledgment ack, BiFunction<ConsumerRecord<String, SendRequest>, SendOutcome, CompletableFuture<?>> write,
            Executor writer) {
        this.records = records;
        this.poison = poison;
        this.sends = poison < 0 ? records : records.subList(0, poison);
        this.outcomes = outcomes;
        this.ack = ack;
        this.write = write;
        this.settled = CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new));
        // all of the poll's writes at once, when its last outcome is known: the producer then sends
        // them in a few large batches. Written one by one as each outcome arrived, they trickled
        // into small produce requests and single mode paid ~35 % more CPU per send at 0 ms
        this.written = settled.thenComposeAsync(ignored -> writeAll(), writer);
    }

    private CompletableFuture<Void> writeAll() {
        List<CompletableFuture<?>> writes = new ArrayList<>(outcomes.size());
        for (int i = 0; i < outcomes.size(); i++) {
            writes.add(write.apply(sends.get(i), outcomes.get(i).join()));
        }
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
    }

    /** Whether {@code other} is a redelivery of the same records (the error handler retrying a listener call). */
    boolean sameRecords(List<ConsumerRecord<String, SendRequest>> other) {
        return other.size() == records.size() && !other.isEmpty() && same(other.get(0), records.get(0))
                && same(other.get(other.size() - 1), records.get(records.size() - 1));
    }

    boolean isSettled() {
        return settled.isDone();
    }

    /** Every outcome is known (outcome futures never fail: the strategies turn failures into outcomes). */
    void awaitSettled() {
        settled.join();
    }

    /**
     * The writes of every outcome, to be awaited before the poll is acknowledged. If an earlier set of
     * writes failed (Kafka did not ack), they are all issued again: event ids are deterministic, so
     * a repeated event is deduplicated downstream, and a repeated hand-over is a redelivery.
     */
    CompletableFuture<Void> writes() {
        if (written.isCompletedExceptionally()) {
            written = writeAll();
        }
        return written;
    }

    /** Index of the first deferred send (not acknowledged, redelivered), or -1; the poll must be settled. */
    int firstDeferred() {
        for (int i = 0; i < outcomes.size(); i++) {
            if (outcomes.get(i).join() instanceof SendOutcome.Deferred) {
                return i;
            }
        }
        return -1;
    }

    /** Whether the send at {@code index} was deferred while a view caught up; the poll must be settled. */
    boolean deferredForAView(int index) {
        return outcomes.get(index).join() instanceof SendOutcome.Deferred d && d.reason().endsWith("-catching-up");
    }

    private static boolean same(ConsumerRecord<?, ?> a, ConsumerRecord<?, ?> b) {
        return a.offset() == b.offset() && a.partition() == b.partition() && a.topic().equals(b.topic());
    }
}
