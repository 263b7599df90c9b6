package io.mailer.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.schemas.kafka.Topics;
import org.apache.kafka.streams.StreamsBuilder;
import org.junit.jupiter.api.Test;

class TopologyDescriptionTest {

    @Test
    void shouldNameEveryNodeAndStoreSoThatTheyStayStableAsTheTopologyGrows() {
        // Given / When
        String description = TopologyFactory.build(new StreamsBuilder(), new Topics("mailer.")).describe().toString();

        // Then no generated names (KSTREAM-…-0000000003) that would shift when a node is added
        assertThat(description).doesNotContain("KSTREAM-", "KTABLE-", "GLOBALKTABLE-")
                .contains(TopologyFactory.SUPPRESSIONS_STORE);
    }
}
