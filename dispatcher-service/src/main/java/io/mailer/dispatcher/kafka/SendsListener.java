package io.mailer.dispatcher.kafka;

import io.mailer.dispatcher.ledger.SendLedger;
import io.mailer.dispatcher.send.SendGate;
import io.mailer.dispatcher.send.SendOutcome;
import io.mailer.dispatcher.send.SendStrategy;
import io.mailer.dispatcher.tenant.HeldSends;
import io.mailer.schemas.events.SendRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.springframework.core.log.LogAccessor;
import org.springframework.kafka.listener.BatchAcknowledgingConsumerAwareMessageListener;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.kafka.support.serializer.DeserializationException;
import org.springframework.kafka.support.serializer.SerializationUtils;

/**
 * Handles the polls of {@code sends}: every send of a poll is processed concurrently (bounded by the
 * in-flight limiter); the poll's events are written together once its last outcome is known; a poll is
 * acknowledged only when Kafka has acknowledged all of its writes, and polls are acknowledged in
 * order. So a crash never loses a send; at worst it is sent again (the ledger stops most of those).
 *
 * <p><b>Overlapping polls.</b> While more records are waiting, the listener returns as soon as a poll's
 * sends are started, leaving it <em>outstanding</em>: the container fetches the next poll at once and
 * its sends start while the previous poll's last calls, writes and commit finish, so the replica never
 * stops sending at a poll boundary. At most one poll is outstanding: the next listener call first
 * finishes it (waits for its outcomes and writes, then commits it) before returning. The outstanding
 * poll is also finished when partitions are revoked or the consumer closes (graceful shutdown), before
 * the rebalance listener gives up the partitions' rate share, and when the container goes idle.
 * A poll is finished in the same call (no overlap) when it holds a poison record, when the send
 * gate is closed, or when nothing more is waiting.
 *
 * <ul>
 *   <li>A record that is not a send request (poison) stops the poll there: the records before it
 *       are handled, then {@link BatchListenerFailedException} lets the {@code DefaultErrorHandler}
 *       commit them, publish the poison record to {@code sends-dlt} and redeliver the rest.</li>
 *   <li>A send deferred because the account is paused or the service stops is not acknowledged:
 *       what precedes it is committed, it and what follows are redelivered later (if it was in the
 *       outstanding poll, the next poll's records too, once their calls are answered), and the
 *       container is paused until SES is tried again.</li>
 *   <li>Writes Kafka did not acknowledge fail the listener call; the error handler calls it again
 *       with the same records, which resumes the poll in hand (its sends are not started twice) and
 *       writes the outcomes again.</li>
 * </ul>
 */
public final class SendsListener implements BatchAcknowledgingConsumerAwareMessageListener<String, SendRequest> {

    private static final LogAccessor log = new LogAccessor(SendsListener.class);
    /** How soon sends deferred while a view (ledger takeover, cancellations at start) catches up are tried again. */
    private static final Duration VIEW_RETRY = Duration.ofMillis(200);

    private final SendStrategy processor;
    private final OutcomePublisher publisher;
    private final SendGate gate;
    private final ConsumptionPauser pauser;
    private final Clock clock;
    private final RetryTiers retryTiers;
    private final Executor writer;
    private final SendLedger ledger;
    private final HeldSends held;
    /** Started, returned from, not yet acknowledged (consumer thread only). */
    private PollInProgress outstanding;
    /** The poll of the listener call in progress, kept when the call fails so that a retry resumes it. */
    private PollInProgress inHand;

    public SendsListener(SendStrategy processor, OutcomePublisher publisher, SendGate gate, ConsumptionPauser pauser,
            Clock clock, RetryTiers retryTiers, Executor writer, SendLedger ledger, HeldSends held) {
        this.ledger = ledger;
        this.held = held;
        this.retryTiers = retryTiers;
        this.processor = processor;
        this.publisher = publisher;
        this.gate = gate;
        this.pauser = pauser;
        this.clock = clock;
        this.writer = writer;
    }

    @Override
    public void onMessage(List<ConsumerRecord<String, SendRequest>> records, Acknowledgment ack, Consumer<?, ?> consumer) {
        PollInProgress poll;
        if (inHand != null && inHand.sameRecords(records)) {
            poll = inHand;
            poll.ack = ack;
        } else {
            poll = start(records, ack);
        }
        inHand = poll;
        if (outstanding != null) {
            boolean rewound = finishOutstanding(poll, consumer);
            outstanding = null;
            if (rewound) {
                inHand = null;
                return;
            }
        }
        if (poll.poison < 0 && gate.closedReason().isEmpty() && moreWaiting(consumer)) {
            outstanding = poll;
            inHand = null;
            return;
        }
        poll.awaitSettled();
        publisher.awaitAll(poll.writes());
        inHand = null;
        int firstDeferred = poll.firstDeferred();
        if (firstDeferred >= 0) {
            Duration wait = pauseIfPaused();
            forgetCommitted(poll, firstDeferred);
            ack.nack(firstDeferred, wait.isZero() && poll.deferredForAView(firstDeferred) ? VIEW_RETRY : wait);
            return;
        }
        if (poll.poison >= 0) {
            ConsumerRecord<String, SendRequest> bad = records.get(poll.poison);
            PoisonRecordException cause = poisonCause(bad);
            log.warn(() -> "record " + bad.topic() + "-" + bad.partition() + "@" + bad.offset()
                    + " is not a send request (" + cause.getMessage() + "); dead-lettering it");
            throw new BatchListenerFailedException(cause.getMessage(), cause, bad);
        }
        ack.acknowledge();
        forgetCommitted(poll, poll.sends.size());
    }

    /** The ledger view holds an entry only while its send may come back: not once its record is committed. */
    private void forgetCommitted(PollInProgress poll, int count) {
        List<String> sendIds = new ArrayList<>(count);
        for (int i = 0; i < count && i < poll.sends.size(); i++) {
            sendIds.add(poll.sends.get(i).value().sendId());
        }
        ledger.view().forget(sendIds);
    }

    /**
     * Finishes the outstanding poll on the consumer thread (rebalance, close, idle container): waits for
     * its outcomes and writes, then commits it, or, after a deferred send, commits what precedes that
     * send and seeks back to it. {@code commit=false} (partitions lost) only waits: the calls are
     * answered before the partitions' rate share goes to another replica.
     */
    void finishOutstanding(Consumer<?, ?> consumer, boolean commit) {
        PollInProgress poll = outstanding;
        if (poll == null) {
            return;
        }
        outstanding = null;
        poll.awaitSettled();
        if (!commit) {
            return;
        }
        publisher.awaitAll(poll.writes());
        int firstDeferred = poll.firstDeferred();
        if (firstDeferred < 0) {
            poll.ack.acknowledge();
            forgetCommitted(poll, poll.sends.size());
        } else {
            rewind(consumer, poll, firstDeferred, null);
            forgetCommitted(poll, firstDeferred);
        }
    }

    /** Finishes the outstanding poll if its outcomes are all known (the container is idle: nothing else to do). */
    void finishOutstandingIfSettled(Consumer<?, ?> consumer) {
        if (outstanding != null && outstanding.isSettled()) {
            finishOutstanding(consumer, true);
        }
    }

    private PollInProgress start(List<ConsumerRecord<String, SendRequest>> records, Acknowledgment ack) {
        int poison = firstPoison(records);
        List<ConsumerRecord<String, SendRequest>> sends = poison < 0 ? records : records.subList(0, poison);
        List<SendRequest> requests = new ArrayList<>(sends.size());
        for (ConsumerRecord<String, SendRequest> record : sends) {
            requests.add(record.value());
        }
        return new PollInProgress(records, poison, processor.processAll(requests), ack, this::write, writer);
    }

    /** The outstanding poll, while {@code next} is already started; true if both were rewound (a deferred send). */
    private boolean finishOutstanding(PollInProgress next, Consumer<?, ?> consumer) {
        PollInProgress poll = outstanding;
        poll.awaitSettled();
        publisher.awaitAll(poll.writes());
        int firstDeferred = poll.firstDeferred();
        if (firstDeferred < 0) {
            poll.ack.acknowledge();
            forgetCommitted(poll, poll.sends.size());
            return false;
        }
        // the next poll was fetched past the deferred send: its calls are answered and its outcomes
        // written first, then both are redelivered from the deferred send on
        next.awaitSettled();
        publisher.awaitAll(next.writes());
        rewind(consumer, poll, firstDeferred, next);
        forgetCommitted(poll, firstDeferred);
        pauseIfPaused();
        return true;
    }

    /**
     * Commits the records of {@code poll} before {@code firstDeferred} and seeks every partition back
     * to its first record from there on (in {@code poll}, else in {@code next}), so those are redelivered.
     */
    private static void rewind(Consumer<?, ?> consumer, PollInProgress poll, int firstDeferred, PollInProgress next) {
        if (firstDeferred > 0) {
            poll.ack.acknowledge(firstDeferred - 1);
        }
        Map<TopicPartition, Long> seeks = new LinkedHashMap<>();
        List<ConsumerRecord<String, SendRequest>> again = new ArrayList<>(poll.records.subList(firstDeferred, poll.records.size()));
        if (next != null) {
            again.addAll(next.records);
        }
        for (ConsumerRecord<String, SendRequest> r : again) {
            seeks.putIfAbsent(new TopicPartition(r.topic(), r.partition()), r.offset());
        }
        Set<TopicPartition> assigned = consumer.assignment();
        seeks.forEach((tp, offset) -> {
            if (assigned.contains(tp)) {
                consumer.seek(tp, offset);
            }
        });
    }

    /** The write that makes an outcome durable: its event, or its hand-over to a retry tier / sends-dlt. */
    private CompletableFuture<?> write(ConsumerRecord<String, SendRequest> record, SendOutcome outcome) {
        // an outcome after a deferred send is still written: that message did go out (or fail)
        if (outcome instanceof SendOutcome.Held hold) {
            return held.park(record, hold.reason());
        }
        if (outcome instanceof SendOutcome.Throttled throttled) {
            return retryTiers.park(record, throttled.delay());
        }
        if (outcome instanceof SendOutcome.RetryLater later) {
            int tier = RetryTiers.tierOf(record);
            CompletableFuture<?> handOver = retryTiers.handOver(record.value(), tier, later);
            if (!retryTiers.isLastTier(tier)) {
                return handOver;
            }
            // dead-lettered: the batch's accounting gets its FAILED; a replay may still send it
            return CompletableFuture.allOf(handOver, publisher.publish(record.value(), new SendOutcome.Failed(
                    "ses:dead-lettered:" + later.code(), later.attempts())));
        }
        return publisher.publish(record.value(), outcome);
    }

    /** More records are fetchable now: returning early lets the next poll start while this one finishes. */
    private static boolean moreWaiting(Consumer<?, ?> consumer) {
        if (!consumer.paused().isEmpty()) {
            return false;
        }
        for (TopicPartition tp : consumer.assignment()) {
            OptionalLong lag = consumer.currentLag(tp);
            if (lag.isPresent() && lag.getAsLong() > 0) {
                return true;
            }
        }
        return false;
    }

    /** Pauses the container for what is left of an account pause; returns that time (zero when stopping). */
    private Duration pauseIfPaused() {
        Duration wait = gate.isShuttingDown() ? Duration.ZERO : remainingPause();
        if (!wait.isZero()) {
            pauser.pauseFor(wait);
        }
        return wait;
    }

    private Duration remainingPause() {
        Duration left = Duration.between(clock.instant(), gate.pausedUntil());
        return left.isNegative() ? Duration.ZERO : left;
    }

    private static int firstPoison(List<ConsumerRecord<String, SendRequest>> records) {
        for (int i = 0; i < records.size(); i++) {
            if (records.get(i).value() == null) {
                return i;
            }
        }
        return -1;
    }

    private static PoisonRecordException poisonCause(ConsumerRecord<String, SendRequest> record) {
        DeserializationException e = SerializationUtils.getExceptionFromHeader(record,
                SerializationUtils.VALUE_DESERIALIZER_EXCEPTION_HEADER, log);
        if (e != null) {
            Throwable root = e.getCause() != null ? e.getCause() : e;
            return new PoisonRecordException("deserialization", root.getMessage(), e);
        }
        return new PoisonRecordException("tombstone", "the record has no value", null);
    }
}
