package io.mailer.topology;

import static io.mailer.topology.TopologyFixture.expectedSend;
import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FanOutTopologyTest {

    private final TopologyFixture fixture = new TopologyFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void shouldFanOutChunkIntoOneSendPerRecipientNumberedFromFirstRecipientIndex() {
        // Given the third chunk of a batch: its recipients are 1000..1002 of the whole batch
        // When
        fixture.submit("acme", "b7", 1000, "ann@example.com", "ben@example.com", "cid@example.com");

        // Then one send per recipient, keyed and numbered by batch-wide index, nothing else
        assertThat(fixture.sends.readKeyValuesToList()).containsExactly(
                KeyValue.pair("b7-1000", expectedSend("acme", "b7", 1000, "ann@example.com")),
                KeyValue.pair("b7-1001", expectedSend("acme", "b7", 1001, "ben@example.com")),
                KeyValue.pair("b7-1002", expectedSend("acme", "b7", 1002, "cid@example.com")));
        assertThat(fixture.events.isEmpty()).isTrue();
        assertThat(fixture.deadLetters.isEmpty()).isTrue();
        assertThat(fixture.counter(TopologyMetrics.RECIPIENTS_FANNED_OUT)).isEqualTo(3.0);
    }
}
