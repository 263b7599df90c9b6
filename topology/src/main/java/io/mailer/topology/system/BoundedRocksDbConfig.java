package io.mailer.topology.system;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds the off-heap memory of every RocksDB store of this JVM together: one block cache shared by
 * all stores, with memtables, index and filter blocks charged to it (Kafka Streams' "bounded memory"
 * recipe). Without it each store takes its own cache and memtables, so memory grows with the tasks
 * a pod happens to own and a rebalance can push the pod over its container limit.
 */
public final class BoundedRocksDbConfig implements RocksDBConfigSetter {

    /** Streams config key of the bound in bytes (STREAMS_ROCKSDB_MEMORY_MB). */
    public static final String MEMORY_BYTES_CONFIG = "mailer.rocksdb.memory.bytes";
    public static final long DEFAULT_MEMORY_BYTES = 128L * 1024 * 1024;
    /** Share of the bound memtables may take before they are flushed. */
    static final double WRITE_BUFFER_RATIO = 0.5;
    /** Memtables per store: one being written, one being flushed. */
    static final int WRITE_BUFFERS_PER_STORE = 2;

    private static Cache cache;
    private static WriteBufferManager writeBufferManager;
    private static long boundBytes;

    /** The JVM-wide cache and write buffer manager, created by the first store with the first bound seen. */
    private static synchronized WriteBufferManager shared(long bytes) {
        if (cache == null) {
            boundBytes = bytes;
            // strict capacity limit off: a full cache evicts rather than failing reads
            cache = new LRUCache(bytes, -1, false, 0.1);
            writeBufferManager = new WriteBufferManager((long) (bytes * WRITE_BUFFER_RATIO), cache);
        }
        return writeBufferManager;
    }

    static synchronized long boundBytes() {
        return boundBytes;
    }

    static synchronized Cache cache() {
        return cache;
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        Object configured = configs.get(MEMORY_BYTES_CONFIG);
        long bytes = configured == null ? DEFAULT_MEMORY_BYTES : Long.parseLong(configured.toString());
        options.setWriteBufferManager(shared(bytes));
        // Streams hands over its own BlockBasedTableConfig; a bare Options (tests) has none yet
        BlockBasedTableConfig table = options.tableFormatConfig() instanceof BlockBasedTableConfig given
                ? given : new BlockBasedTableConfig();
        table.setBlockCache(cache());
        // index and filter blocks count against the cache instead of growing beside it
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setTableFormatConfig(table);
        options.setMaxWriteBufferNumber(WRITE_BUFFERS_PER_STORE);
    }

    @Override
    public void close(String storeName, Options options) {
        // the cache and write buffer manager are shared by every store of the JVM: never closed here
    }
}
