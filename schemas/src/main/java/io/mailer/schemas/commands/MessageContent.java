package io.mailer.schemas.commands;

import java.time.Instant;
import java.util.Map;

/**
 * The message of a batch: Mustache templates shared by every recipient, plus sending options.
 * Carried on every chunk so that each chunk can be fanned out on its own.
 *
 * <p>{@code configurationSet} is the SES configuration set of the tenant's policy at submit time
 * (null: the dispatcher's {@code SES_CONFIGURATION_SET}); optional, so older records still read.
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
        boolean transactional,
        String configurationSet) {

    public MessageContent {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
        tags = tags == null ? Map.of() : Map.copyOf(tags);
    }

    /** Without a configuration set: the form every caller used before the field existed. */
    public MessageContent(String from, String replyTo, String subject, String html, String text,
            Map<String, String> headers, Map<String, String> tags, Instant sendAt, boolean transactional) {
        this(from, replyTo, subject, html, text, headers, tags, sendAt, transactional, null);
    }
}
