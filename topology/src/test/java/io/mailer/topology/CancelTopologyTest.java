package io.mailer.topology;

import static io.mailer.topology.TopologyFixture.MESSAGE;
import static io.mailer.topology.TopologyFixture.WRITTEN;
import static io.mailer.topology.TopologyFixture.expectedEvent;
import static io.mailer.topology.TopologyFixture.expectedSend;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.EventType;
import io.mailer.schemas.events.Suppression;
import io.mailer.topology.outcome.PipelineOutcome;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CancelTopologyTest {

    private static final Instant CANCELLED_AT = WRITTEN.plusSeconds(5);

    private final TopologyFixture fixture = new TopologyFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void shouldCancelEveryRecipientOfChunksAfterTheCancelAndKeepCountsAddingUp() {
        // Given a 5-recipient batch whose first chunk (0..1, ben suppressed) was fanned out
        fixture.suppress("acme", "ben@example.com", Suppression.Reason.BOUNCE);
        fixture.submit("acme", "b1", 0, "ann@example.com", "ben@example.com");

        // When the batch is cancelled, and then its remaining chunks (2..3, 4) arrive behind the cancel
        fixture.cancel("acme", "b1", CANCELLED_AT);
        fixture.submit("acme", "b1", 2, "cid@example.com", "dee@example.com");
        fixture.submit("acme", "b1", 4, "eve@example.com");

        // Then only the recipient before the cancel is sent; every later one is CANCELLED, none sent
        assertThat(fixture.sends.readKeyValuesToList()).containsExactly(
                KeyValue.pair("b1-0", expectedSend("acme", "b1", 0, "ann@example.com")));
        assertThat(fixture.events.readKeyValuesToList()).containsExactly(
                KeyValue.pair("b1-1", expectedEvent(EventType.SUPPRESSED, MESSAGE, "acme", "b1", 1, "ben@example.com",
                        WRITTEN, "suppressed:BOUNCE")),
                KeyValue.pair("b1-2", cancelled("b1", 2, "cid@example.com", WRITTEN)),
                KeyValue.pair("b1-3", cancelled("b1", 3, "dee@example.com", WRITTEN)),
                KeyValue.pair("b1-4", cancelled("b1", 4, "eve@example.com", WRITTEN)));
        assertThat(fixture.deadLetters.isEmpty()).isTrue();
        // and 1 sent + 1 suppressed + 3 cancelled = the 5 recipients of the batch
        assertThat(fixture.counter(TopologyMetrics.RECIPIENTS_FANNED_OUT)).isEqualTo(5.0);
        assertThat(fixture.counter(TopologyMetrics.RECIPIENTS_CANCELLED)).isEqualTo(3.0);
    }

    @Test
    void shouldCancelWithACancelAsTheSingleRecordFormWroteIt() {
        // Given a CANCEL on the topic from before BatchCommand was sealed: null chunk fields included
        fixture.rawCommands.pipeInput("b1", ("{\"type\":\"CANCEL\",\"batchId\":\"b1\",\"tenantId\":\"acme\","
                + "\"chunkIndex\":null,\"chunkCount\":null,\"firstRecipientIndex\":null,\"totalRecipients\":null,"
                + "\"message\":null,\"recipients\":[],\"createdAt\":\"2026-11-27T10:00:00Z\"}")
                .getBytes(StandardCharsets.UTF_8), CANCELLED_AT);

        // When a chunk of the batch follows
        fixture.submit("acme", "b1", 0, "ann@example.com");

        // Then its recipient is cancelled, not sent
        assertThat(fixture.sends.isEmpty()).isTrue();
        assertThat(fixture.events.readKeyValuesToList()).containsExactly(
                KeyValue.pair("b1-0", cancelled("b1", 0, "ann@example.com", WRITTEN)));
        assertThat(fixture.deadLetters.isEmpty()).isTrue();
    }

    @Test
    void shouldLeaveOtherBatchesAloneAndIgnoreARepeatedCancel() {
        // Given batch b1 is cancelled twice (the API call retried)
        fixture.cancel("acme", "b1", CANCELLED_AT);
        fixture.cancel("acme", "b1", CANCELLED_AT.plusSeconds(1));

        // When a chunk of b1 and a chunk of b2 arrive
        fixture.submit("acme", "b1", 0, "ann@example.com");
        fixture.submit("acme", "b2", 0, "ann@example.com");

        // Then b1's recipient is cancelled once, b2's is sent
        assertThat(fixture.sends.readKeyValuesToList()).containsExactly(
                KeyValue.pair("b2-0", expectedSend("acme", "b2", 0, "ann@example.com")));
        assertThat(fixture.events.readKeyValuesToList()).containsExactly(
                KeyValue.pair("b1-0", cancelled("b1", 0, "ann@example.com", WRITTEN)));
    }

    private static DeliveryEvent cancelled(String batchId, int index, String email, Instant at) {
        return expectedEvent(EventType.CANCELLED, MESSAGE, "acme", batchId, index, email, at,
                PipelineOutcome.CANCELLED_REASON);
    }
}
