package io.mailer.schemas.events;

import io.mailer.schemas.commands.MessageContent;
import java.time.Instant;
import java.util.Map;

/** A record of the {@code sends} topic, keyed by send id: one recipient's send request. */
public record SendRequest(
        String sendId,
        String batchId,
        String tenantId,
        int recipientIndex,
        String email,
        Map<String, Object> variables,
        Map<String, String> metadata,
        MessageContent message,
        Instant createdAt) {

    public SendRequest {
        variables = variables == null ? Map.of() : variables;
        metadata = metadata == null ? Map.of() : metadata;
    }
}
