package io.mailer.dispatcher.kafka;

import io.mailer.dispatcher.ledger.SendLedger;
import io.mailer.dispatcher.send.SendStrategy;
import io.mailer.schemas.events.SendRequest;
import java.util.List;
import java.util.concurrent.Executor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.springframework.kafka.support.Acknowledgment;

/** What every {@link PollInProgress} uses: the send strategy, the outcome writes and their thread, the ledger view. */
final class Polls {

    final SendStrategy processor;
    final OutcomeWrites writes;
    final Executor writer;
    final SendLedger ledger;

    Polls(SendStrategy processor, OutcomeWrites writes, Executor writer, SendLedger ledger) {
        this.processor = processor;
        this.writes = writes;
        this.writer = writer;
        this.ledger = ledger;
    }

    /** Starts the sends of a poll (the records before its first poison record, if any). */
    PollInProgress start(List<ConsumerRecord<String, SendRequest>> records, Acknowledgment ack) {
        return new PollInProgress(this, records, ack);
    }
}
