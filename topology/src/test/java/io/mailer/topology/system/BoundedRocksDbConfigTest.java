package io.mailer.topology.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Options;

/** Every RocksDB store of the JVM draws on one bounded cache, memtables included. */
class BoundedRocksDbConfigTest {

    @Test
    void shouldChargeEveryStoresMemtablesAndIndexesToOneSharedCache() {
        // Given the streams config the service builds, with a 64 MiB bound
        Map<String, Object> configs = new HashMap<>();
        StreamsConfigFactory.streamsConfig(new TopologyProperties("k:9092", "mailer.", "/tmp/x", 0, Duration.ofSeconds(5), 64))
                .forEach((k, v) -> configs.put((String) k, v));
        assertThat(configs).containsEntry(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbConfig.class.getName())
                .containsEntry(BoundedRocksDbConfig.MEMORY_BYTES_CONFIG, 64L * 1024 * 1024);

        // When two stores are configured
        try (Options batches = new Options(); Options cancellations = new Options()) {
            BoundedRocksDbConfig setter = new BoundedRocksDbConfig();
            setter.setConfig("batches", batches, configs);
            setter.setConfig("cancellations", cancellations, configs);

            // Then both share the one write buffer manager and cache, index and filter blocks inside it
            assertThat(batches.writeBufferManager()).isNotNull().isSameAs(cancellations.writeBufferManager());
            // (one bound per JVM, set by the first store: other tests of this JVM may have set it first)
            assertThat(BoundedRocksDbConfig.boundBytes()).isIn(64L * 1024 * 1024, 128L * 1024 * 1024);
            assertThat(BoundedRocksDbConfig.cache()).isNotNull();
            for (Options options : new Options[] {batches, cancellations}) {
                BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
                assertThat(table.cacheIndexAndFilterBlocks()).isTrue();
                assertThat(table.pinTopLevelIndexAndFilter()).isTrue();
                assertThat(options.maxWriteBufferNumber()).isEqualTo(2);
            }
            setter.close("batches", batches);
            setter.close("cancellations", cancellations);
        }
    }
}
