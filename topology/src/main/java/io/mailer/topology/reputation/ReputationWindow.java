package io.mailer.topology.reputation;

import io.mailer.schemas.reputation.WindowCounts;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.annotation.JsonDeserialize;
import tools.jackson.databind.annotation.JsonSerialize;

/**
 * One tenant's counts over time, in fixed buckets ({@link ReputationSettings#bucketMillis()}), oldest
 * first. At most {@link ReputationSettings#buckets()} + 1 buckets are kept: older ones are dropped
 * when a count is added, so a tenant's state is bounded whatever it sends.
 *
 * <p>{@link #counts} looks back from the newest bucket until the window's time is covered or
 * {@code windowSends} sends are counted, whichever comes first; the oldest bucket taken is scaled
 * down to the sends still needed (counts inside a bucket are assumed evenly spread). The sends
 * reported are the larger of the SENT events and the sends SES already answered for (deliveries +
 * hard bounces): SES's notifications may arrive before the dispatcher's SENT events.
 */
final class ReputationWindow {

    public enum Kind {
        SEND, HARD_BOUNCE, DELIVERY, COMPLAINT
    }

    /**
     * One bucket: its start (ms) and counts. Public fields: it is the stored form, too — as a JSON
     * array {@code [start, sends, hardBounces, deliveries, complaints]}: the counter and the guard
     * read and write up to 97 of them per tenant for every event and partial, and as objects their
     * field names were most of the bytes and of the parsing. Buckets stored as objects (before)
     * are still read.
     */
    @JsonSerialize(using = BucketJson.Writer.class)
    @JsonDeserialize(using = BucketJson.Reader.class)
    public static final class Bucket {
        public long start;
        public long sends;
        public long hardBounces;
        public long deliveries;
        public long complaints;

        public Bucket() {
        }

        Bucket(long start) {
            this.start = start;
        }

        Bucket(long start, long sends, long hardBounces, long deliveries, long complaints) {
            this.start = start;
            this.sends = sends;
            this.hardBounces = hardBounces;
            this.deliveries = deliveries;
            this.complaints = complaints;
        }
    }

    private final List<Bucket> buckets;

    public ReputationWindow() {
        this(new ArrayList<>());
    }

    public ReputationWindow(List<Bucket> buckets) {
        this.buckets = buckets == null ? new ArrayList<>() : new ArrayList<>(buckets);
    }

    public List<Bucket> buckets() {
        return buckets;
    }

    public void add(Kind kind, long atMillis, ReputationSettings settings) {
        long start = atMillis - Math.floorMod(atMillis, settings.bucketMillis());
        Bucket bucket = bucketAt(start);
        switch (kind) {
            case SEND -> bucket.sends++;
            case HARD_BOUNCE -> bucket.hardBounces++;
            case DELIVERY -> bucket.deliveries++;
            case COMPLAINT -> bucket.complaints++;
        }
        expire(atMillis, settings);
    }

    /** The counts the rates are computed from, as of {@code nowMillis}. */
    public WindowCounts counts(long nowMillis, ReputationSettings settings) {
        long oldest = nowMillis - settings.window().toMillis();
        double sends = 0;
        double bounces = 0;
        double deliveries = 0;
        double complaints = 0;
        Long from = null;
        for (int i = buckets.size() - 1; i >= 0; i--) {
            Bucket b = buckets.get(i);
            if (b.start + settings.bucketMillis() <= oldest) {
                break;
            }
            double needed = settings.windowSends() - sends;
            double share = b.sends > needed ? needed / b.sends : 1.0;
            sends += b.sends * share;
            bounces += b.hardBounces * share;
            deliveries += b.deliveries * share;
            complaints += b.complaints * share;
            from = b.start;
            if (share < 1.0 || sends >= settings.windowSends()) {
                break;
            }
        }
        // a send SES answered for (delivered or hard-bounced) was sent, even if its SENT is not here yet:
        // the dispatcher writes a poll's SENT events when the whole poll is done (up to ~10 s at 200/s)
        long sent = Math.max(Math.round(sends), Math.round(deliveries + bounces));
        return new WindowCounts(sent, Math.round(bounces), Math.round(deliveries), Math.round(complaints),
                from == null ? null : Instant.ofEpochMilli(from));
    }

    public void clear() {
        buckets.clear();
    }

    /**
     * The tenant's whole window: its partial windows (one per input partition) added up, minus the
     * counts it had when its window was last restarted ({@code baseline}, bucket by bucket).
     */
    public static ReputationWindow merged(java.util.Collection<List<Bucket>> parts, List<Bucket> baseline) {
        java.util.TreeMap<Long, Bucket> sum = new java.util.TreeMap<>();
        for (List<Bucket> part : parts) {
            for (Bucket b : part) {
                Bucket s = sum.computeIfAbsent(b.start, Bucket::new);
                s.sends += b.sends;
                s.hardBounces += b.hardBounces;
                s.deliveries += b.deliveries;
                s.complaints += b.complaints;
            }
        }
        if (baseline != null) {
            for (Bucket b : baseline) {
                Bucket s = sum.get(b.start);
                if (s != null) {
                    s.sends = Math.max(0, s.sends - b.sends);
                    s.hardBounces = Math.max(0, s.hardBounces - b.hardBounces);
                    s.deliveries = Math.max(0, s.deliveries - b.deliveries);
                    s.complaints = Math.max(0, s.complaints - b.complaints);
                }
            }
        }
        return new ReputationWindow(new ArrayList<>(sum.values()));
    }

    private Bucket bucketAt(long start) {
        for (int i = buckets.size() - 1; i >= 0; i--) {
            Bucket b = buckets.get(i);
            if (b.start == start) {
                return b;
            }
            if (b.start < start) {
                Bucket fresh = new Bucket(start);
                buckets.add(i + 1, fresh);
                return fresh;
            }
        }
        Bucket fresh = new Bucket(start);
        buckets.add(0, fresh);
        return fresh;
    }

    private void expire(long nowMillis, ReputationSettings settings) {
        long oldest = nowMillis - settings.window().toMillis();
        buckets.removeIf(b -> b.start + settings.bucketMillis() <= oldest);
        while (buckets.size() > settings.buckets() + 1) {
            buckets.remove(0);
        }
    }
}
