package io.mailer.dispatcher.ledger;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * Which sends SES already accepted: the compacted {@code sends-ledger} topic, key = send id, value =
 * SES message id. Checked before an SES call, written after SES accepted and before the send's
 * offset is committed. A redelivered send found here is reported SENT with the recorded message id
 * instead of being sent again. What remains is the window between SES's answer and the ledger
 * write's acknowledgement (see README "Duplicate window").
 */
public final class SendLedger {

    private final LedgerView view;
    private final KafkaTemplate<String, String> template;
    private final String topic;

    public SendLedger(LedgerView view, KafkaTemplate<String, String> template, String topic) {
        this.view = view;
        this.template = template;
        this.topic = topic;
    }

    /** The SES message id of a send SES already accepted, if any. */
    public Optional<String> acceptedMessageId(String sendId) {
        return view.acceptedMessageId(sendId);
    }

    /** False while this send's partition was just taken over and the view has not read its entries. */
    public boolean isCaughtUpFor(String sendId) {
        return view.isCaughtUpFor(sendId);
    }

    /** Completes once Kafka acknowledged the entry (acks=all); visible locally at once. */
    public CompletableFuture<Void> record(String sendId, String sesMessageId) {
        view.putLocal(sendId, sesMessageId);
        return template.send(topic, sendId, sesMessageId).thenApply(r -> null);
    }

    public LedgerView view() {
        return view;
    }
}
