package io.mailer.topology.suppression;

import io.mailer.schemas.events.Suppression;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the {@code suppressions} topic without ever throwing.
 *
 * <p>An unreadable value must not stop the global thread (an exception there kills the whole
 * client, and the record would be re-read after every restart). It is read as a suppression with
 * no details instead: the key alone says that this tenant suppressed this address, and sending to
 * an address someone suppressed hurts the SES reputation more than skipping one recipient. The
 * SUPPRESSED event then carries the reason {@code suppressed:UNKNOWN}.
 */
public final class FailSafeSuppressionSerde implements Serde<Suppression>, Deserializer<Suppression> {

    private static final Logger log = LoggerFactory.getLogger(FailSafeSuppressionSerde.class);

    static final Suppression UNREADABLE = new Suppression(null, null, null, null, null);

    private final Serde<Suppression> delegate;

    public FailSafeSuppressionSerde(Serde<Suppression> delegate) {
        this.delegate = delegate;
    }

    @Override
    public Suppression deserialize(String topic, byte[] data) {
        try {
            return delegate.deserializer().deserialize(topic, data);
        } catch (SerializationException e) {
            // no payload in the log: it holds an email address
            log.warn("Unreadable suppression record on {} treated as suppressed: {}", topic, e.getClass().getName());
            return UNREADABLE;
        }
    }

    @Override
    public Serializer<Suppression> serializer() {
        return delegate.serializer();
    }

    @Override
    public Deserializer<Suppression> deserializer() {
        return this;
    }

    @Override
    public void configure(java.util.Map<String, ?> configs, boolean isKey) {
        // the delegate needs no configuration
    }

    @Override
    public void close() {
        // stateless, like the delegate
    }
}
