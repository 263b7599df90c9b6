package io.mailer.dispatcher.kafka;

import io.mailer.dispatcher.send.SendGate;
import io.mailer.schemas.events.SendRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.IntSupplier;
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
 * This class only decides what becomes of a poll (acknowledge, nack from a deferred send, rewind,
 * dead-letter a poison record, leave it outstanding); {@link PollInProgress} holds the poll's records,
 * outcomes and writes and carries the decision out ({@link Polls} starts it, {@link OutcomeWrites}
 * makes each outcome durable).
 *
 * <p><b>Overlapping polls.</b> While more records are waiting, the listener returns as soon as a poll's
 * sends are started, leaving it <em>outstanding</em>: the container fetches the next poll at once and
 * its sends start while the earlier polls' last calls, writes and commits finish, so the replica never
 * stops sending at a poll boundary. A listener call first finishes the oldest outstanding polls, in
 * order (waits for their outcomes and writes, then commits them), until its own poll fits beside the
 * rest within the budget: one poll, or as many records as the replica sends in {@link #REVOKE_WAIT}
 * at its current rate if that is more, never more than {@code 2 × max.poll.records} (so at most
 * {@code 3 × max.poll.records} with the poll in hand). Bounded in time because a revoke finishes every
 * outstanding poll at the rate before the partitions move: a joining replica waits at most
 * {@code max(one poll, REVOKE_WAIT)} of sending. More than one poll because a short poll (the rest of
 * one partition's fetch) would otherwise be all the work queued while the consumer fetches and
 * deserializes the next one, and the replica ran dry every few seconds. Outstanding
 * polls are also finished when partitions are revoked or the consumer closes (graceful shutdown), before
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
    /** Sending time outstanding polls may hold beyond one poll (what a revoke then waits for). */
    static final Duration REVOKE_WAIT = Duration.ofSeconds(2);

    private final Polls polls;
    private final SendGate gate;
    private final ConsumptionPauser pauser;
    private final Clock clock;
    /** Started, returned from, not yet acknowledged, oldest first (consumer thread only). */
    private final ArrayDeque<PollInProgress> outstanding = new ArrayDeque<>();
    /** The records of {@link #outstanding}, at most {@link #maxOutstandingRecords()} (written by the consumer thread only). */
    private volatile int outstandingRecords;
    private final int maxPollRecords;
    /** The recipients per second this replica sends at now. */
    private final IntSupplier rate;
    /** The poll of the listener call in progress, kept when the call fails so that a retry resumes it. */
    private PollInProgress inHand;

    /** {@code maxPollRecords}: the consumer's {@code max.poll.records}; {@code rate}: the replica's sends per second now. */
    SendsListener(Polls polls, SendGate gate, ConsumptionPauser pauser, Clock clock, int maxPollRecords, IntSupplier rate) {
        this.polls = polls;
        this.maxPollRecords = maxPollRecords;
        this.rate = rate;
        this.gate = gate;
        this.pauser = pauser;
        this.clock = clock;
    }

    @Override
    public void onMessage(List<ConsumerRecord<String, SendRequest>> records, Acknowledgment ack, Consumer<?, ?> consumer) {
        PollInProgress poll = inHand != null && inHand.sameRecords(records) ? inHand.redelivered(ack) : polls.start(records, ack);
        inHand = poll;
        while (true) {
            // asked again after each wait: more may have arrived, or the gate closed, meanwhile
            boolean keep = poll.poisonRecord().isEmpty() && gate.closedReason().isEmpty() && moreWaiting(consumer);
            if (outstanding.isEmpty() || keep && outstandingRecords + poll.size() <= maxOutstandingRecords()) {
                if (keep) {
                    outstanding.addLast(poll);
                    outstandingRecords += poll.size();
                    inHand = null;
                    return;
                }
                break;
            }
            // removed only once finished: if its writes fail, the retried call finishes it again
            PollInProgress oldest = outstanding.peekFirst();
            boolean rewound = finishOutstanding(oldest, later(poll), consumer);
            outstanding.pollFirst();
            outstandingRecords -= oldest.size();
            if (rewound) {
                outstanding.clear();
                outstandingRecords = 0;
                pauseIfPaused();
                inHand = null;
                return;
            }
        }
        int firstDeferred = poll.finish();
        inHand = null;
        if (firstDeferred >= 0) {
            Duration wait = pauseIfPaused();
            poll.nack(firstDeferred, wait.isZero() && poll.deferredForAView(firstDeferred) ? VIEW_RETRY : wait);
            return;
        }
        if (poll.poisonRecord().isPresent()) {
            ConsumerRecord<String, SendRequest> bad = poll.poisonRecord().get();
            PoisonRecordException cause = poisonCause(bad);
            log.warn(() -> "record " + bad.topic() + "-" + bad.partition() + "@" + bad.offset()
                    + " is not a send request (" + cause.getMessage() + "); dead-lettering it");
            throw new BatchListenerFailedException(cause.getMessage(), cause, bad);
        }
        poll.acknowledge();
    }

    /**
     * Partitions revoked or the consumer closing: the outstanding poll is finished and committed (or
     * rewound to its first deferred send) before the rebalance listener gives up the partitions' rate share.
     */
    void partitionsRevoked(Consumer<?, ?> consumer) {
        List<PollInProgress> polls = takeOutstanding();
        for (int i = 0; i < polls.size(); i++) {
            if (finishOutstanding(polls.get(i), polls.subList(i + 1, polls.size()), consumer)) {
                return;
            }
        }
    }

    /** One poll, or {@link #REVOKE_WAIT} of sending at the current rate if more, at most two polls. */
    int maxOutstandingRecords() {
        long byRate = rate.getAsInt() * REVOKE_WAIT.toSeconds();
        return (int) Math.min(2L * maxPollRecords, Math.max(maxPollRecords, byRate));
    }

    /** Records of the polls left outstanding now (at most {@link #maxOutstandingRecords()}). */
    public int outstandingRecords() {
        return outstandingRecords;
    }

    /** Partitions lost: nothing can be committed any more, but the calls are answered before the share goes. */
    void partitionsLost() {
        takeOutstanding().forEach(PollInProgress::awaitSettled);
    }

    /** The container is idle (nothing else to do): finishes the outstanding polls if their outcomes are all known. */
    void idle(Consumer<?, ?> consumer) {
        if (!outstanding.isEmpty() && outstanding.stream().allMatch(PollInProgress::isSettled)) {
            partitionsRevoked(consumer);
        }
    }

    private List<PollInProgress> takeOutstanding() {
        List<PollInProgress> polls = new ArrayList<>(outstanding);
        outstanding.clear();
        outstandingRecords = 0;
        return polls;
    }

    /** The polls fetched after the oldest outstanding one: the rest of the outstanding ones, then {@code inHand}. */
    private List<PollInProgress> later(PollInProgress inHand) {
        List<PollInProgress> later = new ArrayList<>(outstanding);
        later.remove(0);
        later.add(inHand);
        return later;
    }

    /**
     * Finishes the outstanding {@code poll} on the consumer thread: waits for its outcomes and writes,
     * then commits it; or, after a deferred send, commits what precedes that send and seeks back to it.
     * {@code later} are the polls fetched after it (outstanding ones and the one of the listener call in
     * progress), already past the deferred send: their calls are answered and their outcomes written
     * first, then all are redelivered from the deferred send on. Returns true if it was rewound.
     */
    private static boolean finishOutstanding(PollInProgress poll, List<PollInProgress> later, Consumer<?, ?> consumer) {
        int firstDeferred = poll.finish();
        if (firstDeferred < 0) {
            poll.acknowledge();
            return false;
        }
        later.forEach(PollInProgress::finish);
        poll.rewind(firstDeferred, later, consumer);
        return true;
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
