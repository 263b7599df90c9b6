package io.mailer.dispatcher.kafka;

import io.mailer.dispatcher.send.SendGate;
import io.mailer.dispatcher.send.SendOutcome;
import io.mailer.dispatcher.send.SendStrategy;
import io.mailer.schemas.events.SendRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.core.log.LogAccessor;
import org.springframework.kafka.listener.BatchAcknowledgingMessageListener;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.kafka.support.serializer.DeserializationException;
import org.springframework.kafka.support.serializer.SerializationUtils;

/**
 * Handles one poll of {@code sends}: every send of the poll is processed concurrently (bounded by
 * the in-flight limiter), then the outcome events are written, and only when Kafka has acknowledged
 * them are the sends acknowledged. So a crash never loses a send; at worst it is sent again.
 *
 * <ul>
 *   <li>A record that is not a send request (poison) stops the poll there: the records before it
 *       are handled, then {@link BatchListenerFailedException} lets the {@code DefaultErrorHandler}
 *       commit them, publish the poison record to {@code sends-dlt} and redeliver the rest.</li>
 *   <li>A send deferred because the account is paused or the service stops is not acknowledged:
 *       {@code nack} commits what precedes it and redelivers it (and what follows) later, and the
 *       container is paused until SES is tried again.</li>
 * </ul>
 */
public final class SendsListener implements BatchAcknowledgingMessageListener<String, SendRequest> {

    private static final LogAccessor log = new LogAccessor(SendsListener.class);

    private final SendStrategy processor;
    private final OutcomePublisher publisher;
    private final SendGate gate;
    private final ConsumptionPauser pauser;
    private final Clock clock;
    private final RetryTiers retryTiers;

    public SendsListener(SendStrategy processor, OutcomePublisher publisher, SendGate gate, ConsumptionPauser pauser,
            Clock clock, RetryTiers retryTiers) {
        this.retryTiers = retryTiers;
        this.processor = processor;
        this.publisher = publisher;
        this.gate = gate;
        this.pauser = pauser;
        this.clock = clock;
    }

    @Override
    public void onMessage(List<ConsumerRecord<String, SendRequest>> records, Acknowledgment ack) {
        int poison = firstPoison(records);
        List<ConsumerRecord<String, SendRequest>> sends = poison < 0 ? records : records.subList(0, poison);

        List<SendRequest> requests = new ArrayList<>(sends.size());
        for (ConsumerRecord<String, SendRequest> record : sends) {
            requests.add(record.value());
        }
        List<CompletableFuture<SendOutcome>> pending = processor.processAll(requests);
        // never exceptional: SendProcessor turns every failure into an outcome
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();

        List<CompletableFuture<?>> writes = new ArrayList<>(sends.size());
        int firstDeferred = -1;
        for (int i = 0; i < sends.size(); i++) {
            SendOutcome outcome = pending.get(i).join();
            if (outcome instanceof SendOutcome.Deferred) {
                firstDeferred = firstDeferred < 0 ? i : firstDeferred;
            }
            // an outcome after a deferred send is still written: that message did go out (or fail)
            if (outcome instanceof SendOutcome.RetryLater later) {
                int tier = RetryTiers.tierOf(sends.get(i));
                writes.add(retryTiers.handOver(sends.get(i).value(), tier, later));
                if (retryTiers.isLastTier(tier)) {
                    // dead-lettered: the batch's accounting gets its FAILED; a replay may still send it
                    writes.add(publisher.publish(sends.get(i).value(), new SendOutcome.Failed(
                            "ses:dead-lettered:" + later.code(), later.attempts())));
                }
            } else {
                writes.add(publisher.publish(sends.get(i).value(), outcome));
            }
        }
        publisher.awaitAll(writes);

        if (firstDeferred >= 0) {
            Duration wait = gate.isShuttingDown() ? Duration.ZERO : remainingPause();
            if (!wait.isZero()) {
                pauser.pauseFor(wait);
            }
            ack.nack(firstDeferred, wait);
            return;
        }
        if (poison >= 0) {
            ConsumerRecord<String, SendRequest> bad = records.get(poison);
            PoisonRecordException cause = poisonCause(bad);
            log.warn(() -> "record " + bad.topic() + "-" + bad.partition() + "@" + bad.offset()
                    + " is not a send request (" + cause.getMessage() + "); dead-lettering it");
            throw new BatchListenerFailedException(cause.getMessage(), cause, bad);
        }
        ack.acknowledge();
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
