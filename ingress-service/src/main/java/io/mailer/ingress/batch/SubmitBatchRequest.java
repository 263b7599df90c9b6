package io.mailer.ingress.batch;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Body of {@code POST /api/v1/batches}. Unknown fields are ignored (forward compatibility: a
 * newer client can talk to an older server); every known field is validated by
 * {@link BatchRequestValidator}.
 */
public record SubmitBatchRequest(
        String from,
        String replyTo,
        String subject,
        String html,
        String text,
        List<Recipient> recipients,
        Map<String, String> tags,
        Map<String, String> headers,
        Instant sendAt,
        Boolean transactional) {

    public record Recipient(String email, Map<String, Object> variables, Map<String, String> metadata) {
    }
}
