package io.mailer.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.schemas.kafka.Topics;
import io.mailer.topology.batch.BatchStores;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.streams.StreamsBuilder;
import org.junit.jupiter.api.Test;

class TopologyDescriptionTest {

    /** The committed description; regenerate with {@code -Dtopology.docs.update=true} (see README). */
    static final Path DOC = Path.of("..", "docs", "topology.md");

    private static String description() {
        return TopologyFactory.build(new StreamsBuilder(), new Topics("mailer.")).describe().toString();
    }

    @Test
    void shouldNameEveryNodeAndStoreSoThatTheyStayStableAsTheTopologyGrows() {
        // Given / When
        String description = description();

        // Then no generated names (KSTREAM-…-0000000003) that would shift when a node is added, no repartition
        assertThat(description).doesNotContain("KSTREAM-", "KTABLE-", "GLOBALKTABLE-", "repartition")
                .contains(TopologyFactory.SUPPRESSIONS_STORE, BatchStores.CHUNKS_SEEN, BatchStores.CANCELLED,
                        BatchStores.SCHEDULED);
    }

    @Test
    void shouldMatchTheCommittedTopologyDescription() throws IOException {
        // Given the description of the production topology with the default prefix
        String expected = document(description());

        // When the docs are being regenerated, write them; otherwise
        if (Boolean.getBoolean("topology.docs.update")) {
            Files.createDirectories(DOC.getParent());
            Files.writeString(DOC, expected, StandardCharsets.UTF_8);
        }

        // Then docs/topology.md is exactly what the code builds
        assertThat(Files.readString(DOC, StandardCharsets.UTF_8)).isEqualTo(expected);
    }

    private static String document(String description) {
        return """
                # Topology description

                Generated from `TopologyFactory.build(new StreamsBuilder(), new Topics("mailer.")).describe()` by
                `topology/src/test/java/io/mailer/topology/TopologyDescriptionTest.java`; the default build fails
                when this file and the code disagree. Regenerate with:

                ```sh
                mvn -q -o -pl topology test -Dtest=TopologyDescriptionTest -Dtopology.docs.update=true
                ```

                State stores (all persistent RocksDB, changelogged to `<application.id>-<store>-changelog`,
                application.id = prefix + `topology`): `batch-chunks-seen-store`, `cancelled-batches-store`,
                `scheduled-chunks-store`; global store `suppressions-store` (restored from the compacted
                `suppressions` topic itself). No repartition topics.

                ```
                %s```
                """.formatted(description);
    }
}
