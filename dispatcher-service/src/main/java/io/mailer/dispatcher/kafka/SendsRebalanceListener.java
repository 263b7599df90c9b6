package io.mailer.dispatcher.kafka;

import io.mailer.dispatcher.ledger.SendLedger;
import io.mailer.dispatcher.ratelimit.SharedRateLimiter;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;

/**
 * On every change of the {@code sends} partitions this replica owns: (1) its share of the global
 * rate becomes owned / all partitions; (2) the send ledger view takes over the new partitions (and
 * drops the revoked ones): until it has read their entries, their sends are deferred, so sends that
 * the previous owner got accepted by SES (and recorded) are not sent again.
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
            listener.partitionsRevoked(consumer);
        } finally {
            shareWithout(consumer, partitions);
        }
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        // nothing can be committed any more; the calls are still answered before the share goes
        try {
            listener.partitionsLost();
        } finally {
            shareWithout(consumer, partitions);
        }
    }

    private void shareWithout(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        ledger.view().revoke(partitions.stream().filter(tp -> tp.topic().equals(topic)).map(TopicPartition::partition).toList());
        Set<TopicPartition> kept = new HashSet<>(consumer.assignment());
        kept.removeAll(partitions);
        share(consumer, kept.size());
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        if (!partitions.isEmpty()) {
            Map<Integer, Long> committed = new HashMap<>();
            Map<TopicPartition, OffsetAndMetadata> offsets = consumer.committed(new HashSet<>(partitions));
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata o = offsets.get(tp);
                committed.put(tp.partition(), o == null ? null : o.offset());
            }
            try {
                ledger.view().assign(committed).get(catchUp.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // not a reason to send blind: their sends are deferred until the view has read them
                log.warn("send ledger of partitions {} not read within {}; their sends wait for it", committed.keySet(),
                        catchUp);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                log.warn("send ledger takeover failed: {}", e.getCause().toString());
            }
        }
        share(consumer, consumer.assignment().size());
    }

    private void share(Consumer<?, ?> consumer, int owned) {
        int total = consumer.partitionsFor(topic).size();
        limiter.setShare(owned, total);
        // a share that grows is taken after SharedRateLimiter.SHARE_GRACE (the previous owner's calls
        // may still be counted at SES), so "now" can be far below where it will be a second later
        log.info("owning {} of {} partitions of {}: pacing at {} sends/s now, {} sends/s after {} ms", owned, total, topic,
                String.format("%.1f", limiter.currentRate()), String.format("%.1f", limiter.globalRate() * owned / Math.max(1, total)),
                SharedRateLimiter.SHARE_GRACE.toMillis());
    }
}
