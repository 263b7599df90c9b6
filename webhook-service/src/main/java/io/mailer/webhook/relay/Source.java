package io.mailer.webhook.relay;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;

/** The record messages were made from: done (committable) once each of them is settled. */
final class Source {

    private final OffsetTracker tracker;
    private final TopicPartition partition;
    private final long offset;
    private final AtomicInteger pending = new AtomicInteger(1);

    Source(OffsetTracker tracker, TopicPartition partition, long offset) {
        this.tracker = tracker;
        this.partition = partition;
        this.offset = offset;
        if (tracker != null) {
            tracker.opened(partition, offset);
        }
    }

    /** A source nothing waits for (replays): settling it does nothing. */
    static Source none() {
        return new Source(null, null, -1);
    }

    /** One more message depends on this record. */
    void retain() {
        pending.incrementAndGet();
    }

    /** A message of this record (or the record's own reading, the initial count) is settled. */
    void release() {
        if (pending.decrementAndGet() == 0 && tracker != null) {
            tracker.done(partition, offset);
        }
    }
}
