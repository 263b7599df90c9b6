package io.mailer.webhook.relay;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import org.apache.kafka.common.TopicPartition;

/**
 * What may be committed per partition: a record is done when every message made from it is settled
 * (delivered, given up, or written to a retry tier). The commit position is the lowest record not
 * yet done, so a crash redelivers exactly the unsettled ones (and a few settled after them, which
 * keep their webhook-id: receivers drop the repeat).
 */
final class OffsetTracker {

    private static final class Partition {
        final ConcurrentSkipListSet<Long> open = new ConcurrentSkipListSet<>();
        volatile long next = -1;
        long committed = -1;
    }

    private final Map<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();

    void opened(TopicPartition tp, long offset) {
        Partition p = partitions.computeIfAbsent(tp, k -> new Partition());
        p.open.add(offset);
        p.next = Math.max(p.next, offset + 1);
    }

    void done(TopicPartition tp, long offset) {
        Partition p = partitions.get(tp);
        if (p != null) {
            p.open.remove(offset);
        }
    }

    /** The offset to commit if it moved since the last call, else -1. */
    long commitPosition(TopicPartition tp) {
        Partition p = partitions.get(tp);
        if (p == null || p.next < 0) {
            return -1;
        }
        long next = p.next;
        Long first = p.open.isEmpty() ? null : p.open.first();
        long position = first == null ? next : Math.min(first, next);
        if (position <= p.committed) {
            return -1;
        }
        p.committed = position;
        return position;
    }

    void forget(TopicPartition tp) {
        partitions.remove(tp);
    }

    int open() {
        return partitions.values().stream().mapToInt(p -> p.open.size()).sum();
    }
}
