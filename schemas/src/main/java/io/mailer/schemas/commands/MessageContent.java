package io.mailer.schemas.commands;

import java.time.Instant;
import java.util.Map;

/**
 * The message of a batch: Mustache templates shared by every recipient, plus sending options.
 * Carried on every chunk so that each chunk can be fanned out on its own.
 */
public record MessageContent(
        String from,
        String replyTo,
        String subject,
        String html,
        String text,
        Map<String, String> headers,
        Map<String, String> tags,
        Instant sendAt,
        boolean transactional) {

    public MessageContent {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        tags = tags == null ? Map.of() : Map.copyOf(tags);
    }
}
