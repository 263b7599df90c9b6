package io.mailer.ingress.batch;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Which tenant owns the batches this replica accepted or found in the view, so cancel can check
 * ownership (it only needs Kafka otherwise) while PostgreSQL is down. Bounded: the oldest entries go.
 */
@Component
class BatchOwners {

    static final int MAX_ENTRIES = 100_000;

    private final Map<String, String> owners = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    synchronized void remember(String batchId, String tenantId) {
        owners.put(batchId, tenantId);
    }

    synchronized boolean owns(String tenantId, String batchId) {
        return tenantId.equals(owners.get(batchId));
    }
}
