package io.mailer.ingress.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.schemas.limits.RecordBudget;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ChunkBudgetTest {

    @Test
    void shouldEndChunksAtTheChunkSizeWhenRecipientsAreSmall() {
        int[] sizes = new int[1001];
        Arrays.fill(sizes, 60);
        assertThat(ChunkBudget.chunkCount(sizes, 500, 1_000)).isEqualTo(3);
    }

    @Test
    void shouldEndChunksBeforeTheRecordBudgetWhenRecipientsAreLarge() {
        // 500 recipients of 5 kB with a 500 kB message: 2.5 MB in one chunk, so the budget decides
        int[] sizes = new int[500];
        Arrays.fill(sizes, 5_000);
        int envelope = 500_000;
        int perChunk = (RecordBudget.MAX_RECORD_BYTES - envelope) / 5_001;
        assertThat(ChunkBudget.chunkCount(sizes, 500, envelope)).isEqualTo((500 + perChunk - 1) / perChunk);

        ChunkBudget budget = new ChunkBudget(500, envelope);
        for (int i = 0; i < perChunk; i++) {
            assertThat(budget.full(5_000)).isFalse();
            budget.add(5_000);
        }
        assertThat(budget.full(5_000)).isTrue();
    }

    @Test
    void shouldAlwaysTakeAtLeastOneRecipient() {
        ChunkBudget budget = new ChunkBudget(500, RecordBudget.MAX_RECORD_BYTES);
        assertThat(budget.full(RecordBudget.MAX_RECIPIENT_BYTES)).isFalse();
    }
}
