package io.mailer.dispatcher;

import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.events.Ids;
import io.mailer.schemas.events.SendRequest;
import java.time.Instant;
import java.util.Map;

/** Send requests written inline in tests. */
public final class Fixtures {

    public static final Instant CREATED = Instant.parse("2026-11-27T10:00:00Z");

    private Fixtures() {
    }

    public static MessageContent message(String subject, String html, String text) {
        return new MessageContent("News <news@example.com>", "support@example.com", subject, html, text,
                Map.of("X-Campaign", "winter"), Map.of(), null, false);
    }

    public static SendRequest send(String batchId, int index, String email, Map<String, Object> variables,
            MessageContent message) {
        return new SendRequest(Ids.sendId(batchId, index), batchId, "acme", index, email, variables, Map.of(),
                message, CREATED);
    }
}
