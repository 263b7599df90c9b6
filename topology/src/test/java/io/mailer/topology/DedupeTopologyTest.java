package io.mailer.topology;

import static io.mailer.topology.TopologyFixture.expectedSend;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.topology.batch.BatchStores;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DedupeTopologyTest {

    private final TopologyFixture fixture = new TopologyFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void shouldFanOutADuplicatedChunkOnlyOnce() {
        // Given chunk 0 (recipients 0..1) was processed, then chunk 1 (recipient 2)
        fixture.submit("acme", "b1", 0, "ann@example.com", "ben@example.com");
        fixture.submit("acme", "b1", 2, "cid@example.com");

        // When chunk 0 arrives again (producer retry / replayed submission), then chunk 1 again
        fixture.submit("acme", "b1", 0, "ann@example.com", "ben@example.com");
        fixture.submit("acme", "b1", 2, "cid@example.com");

        // Then each recipient has exactly one send, and nothing else was written
        assertThat(fixture.sends.readKeyValuesToList()).containsExactly(
                KeyValue.pair("b1-0", expectedSend("acme", "b1", 0, "ann@example.com")),
                KeyValue.pair("b1-1", expectedSend("acme", "b1", 1, "ben@example.com")),
                KeyValue.pair("b1-2", expectedSend("acme", "b1", 2, "cid@example.com")));
        assertThat(fixture.events.isEmpty()).isTrue();
        assertThat(fixture.deadLetters.isEmpty()).isTrue();
        assertThat(fixture.counter(TopologyMetrics.DUPLICATE_CHUNKS_DROPPED)).isEqualTo(2.0);
    }

    @Test
    void shouldTellChunksOfDifferentBatchesApart() {
        // Given chunk 0 of batch b1
        fixture.submit("acme", "b1", 0, "ann@example.com");

        // When chunk 0 of another batch arrives
        fixture.submit("acme", "b2", 0, "ann@example.com");

        // Then both are sent: the dedupe key is (batch id, first recipient index)
        assertThat(fixture.sends.readKeyValuesToList()).containsExactly(
                KeyValue.pair("b1-0", expectedSend("acme", "b1", 0, "ann@example.com")),
                KeyValue.pair("b2-0", expectedSend("acme", "b2", 0, "ann@example.com")));
        assertThat(fixture.counter(TopologyMetrics.DUPLICATE_CHUNKS_DROPPED)).isZero();
    }

    @Test
    void shouldForgetSeenChunksAfterTheRetentionPeriod() {
        // Given chunk 0 was fanned out
        fixture.submit("acme", "b1", 0, "ann@example.com");
        fixture.sends.readKeyValuesToList();

        // When the retention (35 days) has passed and the hourly purge ran, and chunk 0 is replayed
        fixture.driver.advanceWallClockTime(BatchStores.RETENTION.plusHours(1));
        fixture.submit("acme", "b1", 0, "ann@example.com");

        // Then it is fanned out again (same send id, which the dispatcher's send ledger recognises):
        // the dedupe window is bounded on purpose, so the store does not grow forever
        assertThat(fixture.sends.readKeyValuesToList()).containsExactly(
                KeyValue.pair("b1-0", expectedSend("acme", "b1", 0, "ann@example.com")));
        assertThat(fixture.counter(TopologyMetrics.DUPLICATE_CHUNKS_DROPPED)).isZero();
    }
}
