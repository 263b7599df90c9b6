package io.mailer.ingress.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/** When the batch stream sends a view and when it ends ({@link BatchStreamController#views}). */
class BatchStreamViewsTest {

    @Test
    void shouldSendOnlyChangesAndWaitForTheOutcomesOfACompletedBatch() {
        BatchView processing = view("PROCESSING", 2, 1, 0, 0);
        BatchView completed = view("COMPLETED", 0, 3, 2, 0);
        BatchView settled = view("COMPLETED", 0, 3, 2, 1);
        BatchView later = view("COMPLETED", 0, 3, 3, 1);
        List<BatchView> sent = BatchStreamController.views(processing,
                Flux.just(processing, completed, completed, settled, later)).collectList().block();
        // the repeat is not sent; the stream ends at the last outcome and never reads further
        assertThat(sent).containsExactly(processing, completed, settled);
    }

    @Test
    void shouldEndAQuietFinalBatchWhoseOutcomesNeverCome() {
        BatchView noOutcomes = view("COMPLETED", 0, 3, 0, 0);
        List<BatchView> reads = new ArrayList<>(Collections.nCopies(BatchStreamController.QUIET_TICKS + 5, noOutcomes));
        List<BatchView> sent = BatchStreamController.views(noOutcomes, Flux.fromIterable(reads)).collectList().block();
        assertThat(sent).containsExactly(noOutcomes);
        // and it really stopped after QUIET_TICKS unchanged reads, not at the end of the input
        List<Integer> seen = new ArrayList<>();
        BatchStreamController.views(noOutcomes, Flux.range(0, reads.size()).doOnNext(seen::add).map(reads::get)).blockLast();
        assertThat(seen).hasSize(BatchStreamController.QUIET_TICKS);
    }

    @Test
    void shouldEndACancelledBatchAtOnce() {
        BatchView cancelled = view("CANCELLED", 0, 0, 0, 0);
        assertThat(BatchStreamController.views(cancelled, Flux.just(cancelled)).collectList().block())
                .containsExactly(cancelled);
        // settled by its first read: nothing more is read (a read error would not show, so count the reads)
        List<Integer> seen = new ArrayList<>();
        BatchStreamController.views(cancelled, Flux.range(0, 3).doOnNext(seen::add).map(i -> cancelled)).blockLast();
        assertThat(seen).isEmpty();
    }

    @Test
    void shouldFollowACancelledBatchUntilItsUnsentRecipientsAreMarked() {
        // CANCELLED while recipients are still queued (their CANCELLED events not projected yet):
        // ending here left the console showing them queued
        BatchView cancelling = view("CANCELLED", 5, 2, 2, 0);
        BatchView marked = new BatchView("bat_x", "CANCELLED", Instant.EPOCH, new BatchView.Counts(7, 0, 0, 2, 2, 0, 0, 0, 5), null);
        BatchView later = view("CANCELLED", 0, 3, 3, 0);
        assertThat(BatchStreamController.views(cancelling, Flux.just(cancelling, marked, later)).collectList().block())
                .containsExactly(cancelling, marked);
    }

    private static BatchView view(String status, long queued, long sent, long delivered, long bounced) {
        return new BatchView("bat_x", status, Instant.EPOCH,
                new BatchView.Counts(queued + sent, queued, 0, sent, delivered, bounced, 0, 0, 0), null);
    }
}
