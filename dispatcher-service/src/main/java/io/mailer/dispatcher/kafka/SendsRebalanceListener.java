package io.mailer.dispatcher.kafka;

import io.mailer.dispatcher.ledger.SendLedger;
import io.mailer.dispatcher.ratelimit.SharedRateLimiter;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;

/**
 * On every change of the {@code sends} partitions this replica owns: (1) its share of the global
 * rate becomes owned / all partitions; (2) before it sends anything from new partitions, the send
 * ledger is caught up to its end, so sends that the previous owner got accepted by SES (and
 * recorded) are not sent again.
 */
final class SendsRebalanceListener implements ConsumerAwareRebalanceListener {

    private static final Logger log = LoggerFactory.getLogger(SendsRebalanceListener.class);

    private final String topic;
    private final SharedRateLimiter limiter;
    private final SendLedger ledger;
    private final Duration catchUp;
    private final SendsListener listener;

    SendsRebalanceListener(String topic, SharedRateLimiter limiter, SendLedger ledger, Duration catchUp,
            SendsListener listener) {
        this.listener = listener;
        this.topic = topic;
        this.limiter = limiter;
        this.ledger = ledger;
        this.catchUp = catchUp;
    }

    @Override
    public void onPartitionsRevokedBeforeCommit(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        // the poll still running after its listener call returned (overlapping polls) is finished and
        // committed first: its calls are answered before the share of these partitions is given up
        try {
            listener.finishOutstanding(consumer, true);
        } finally {
            shareWithout(consumer, partitions);
        }
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        // nothing can be committed any more; the calls are still answered before the share goes
        try {
            listener.finishOutstanding(consumer, false);
        } finally {
            shareWithout(consumer, partitions);
        }
    }

    private void shareWithout(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        Set<TopicPartition> kept = new HashSet<>(consumer.assignment());
        kept.removeAll(partitions);
        share(consumer, kept.size());
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        if (!partitions.isEmpty() && !ledger.view().awaitCaughtUp(catchUp)) {
            log.warn("send ledger not caught up within {}: redelivered sends may be sent again", catchUp);
        }
        share(consumer, consumer.assignment().size());
    }

    private void share(Consumer<?, ?> consumer, int owned) {
        int total = consumer.partitionsFor(topic).size();
        limiter.setShare(owned, total);
        log.info("owning {} of {} partitions of {}: pacing at {} sends/s", owned, total, topic,
                String.format("%.1f", limiter.currentRate()));
    }
}
