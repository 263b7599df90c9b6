package io.mailer.dispatcher.kafka;

import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.events.SendRequest;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads {@code sends} records so that the sends of one batch share one {@link MessageContent}.
 * Every record carries its batch's whole message (up to 512 KiB of JSON) and the consumer holds
 * up to three polls of {@code max-poll-records}: read one by one, a 50 KB template would cost
 * 50 KB per fetched send (300 MB for 6,000), and the topic is compressed, so the fetch size limits
 * do not bound it. Each record's message is still parsed (and dropped at once) but the one kept is
 * the batch's.
 *
 * <p>Bound: the latest message of at most {@value #BATCHES} batches, at most {@value #CHARS}
 * characters of subject, html and text in all (the least recently read go first). A message it does
 * not hold is simply not shared.
 */
final class SharedMessageContents implements Deserializer<SendRequest> {

    static final int BATCHES = 256;
    static final long CHARS = 32L * 1024 * 1024;

    private final Deserializer<SendRequest> delegate;
    private final LinkedHashMap<String, MessageContent> byBatch = new LinkedHashMap<>(64, 0.75f, true);
    private long chars;

    SharedMessageContents(Deserializer<SendRequest> delegate) {
        this.delegate = delegate;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        delegate.configure(configs, isKey);
    }

    @Override
    public SendRequest deserialize(String topic, byte[] data) {
        return shared(delegate.deserialize(topic, data));
    }

    @Override
    public SendRequest deserialize(String topic, Headers headers, byte[] data) {
        return shared(delegate.deserialize(topic, headers, data));
    }

    @Override
    public void close() {
        delegate.close();
    }

    /** The messages held now (for tests and the bound). */
    synchronized int batches() {
        return byBatch.size();
    }

    synchronized long chars() {
        return chars;
    }

    private synchronized SendRequest shared(SendRequest send) {
        if (send == null || send.message() == null || send.batchId() == null) {
            return send;
        }
        MessageContent known = byBatch.get(send.batchId());
        if (known != null && known.equals(send.message())) {
            return known == send.message() ? send : new SendRequest(send.sendId(), send.batchId(), send.tenantId(),
                    send.recipientIndex(), send.email(), send.variables(), send.metadata(), known, send.createdAt());
        }
        if (known != null) {
            chars -= size(byBatch.remove(send.batchId()));
        }
        long size = size(send.message());
        if (size <= CHARS) {
            byBatch.put(send.batchId(), send.message());
            chars += size;
            evict();
        }
        return send;
    }

    private void evict() {
        Iterator<MessageContent> eldest = byBatch.values().iterator();
        while (byBatch.size() > BATCHES || chars > CHARS) {
            chars -= size(eldest.next());
            eldest.remove();
        }
    }

    private static long size(MessageContent message) {
        return length(message.subject()) + length(message.html()) + length(message.text());
    }

    private static int length(String s) {
        return s == null ? 0 : s.length();
    }
}
