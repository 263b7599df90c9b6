package io.mailer.feedback.projector;

import java.util.Map;
import java.util.TreeMap;

/** The counter changes of one transaction per batch, sorted by batch id (the order they are locked in). */
final class CountDeltas {

    private final Map<String, int[]> byBatch = new TreeMap<>();

    void add(String batchId, int before, int after) {
        if (before != after) {
            CountFlags.addDelta(byBatch.computeIfAbsent(batchId, b -> new int[CountFlags.COLUMNS.size()]), before, after);
        }
    }

    /** The batches whose counters change, in batch id order, without the ones whose changes cancel out. */
    Map<String, int[]> nonZero() {
        Map<String, int[]> out = new TreeMap<>(byBatch);
        out.values().removeIf(CountFlags::isZero);
        return out;
    }
}
