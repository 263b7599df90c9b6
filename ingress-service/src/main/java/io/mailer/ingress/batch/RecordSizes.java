package io.mailer.ingress.batch;

import io.mailer.schemas.kafka.Json;
import io.mailer.schemas.limits.RecordBudget;
import java.io.OutputStream;

/**
 * Sizes as they go on Kafka: the topic serde's mapper writes into a counter, so the budgets of
 * {@link RecordBudget} are checked on the real encoding without keeping a copy of the bytes.
 */
final class RecordSizes {

    private RecordSizes() {
    }

    static int jsonBytes(Object value) {
        Counter counter = new Counter();
        Json.MAPPER.writeValue(counter, value);
        return counter.count;
    }

    private static final class Counter extends OutputStream {

        int count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
