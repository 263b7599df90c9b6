package io.mailer.dispatcher.render;

/** One recipient's message after rendering; html or text may be null when the batch has none. */
public record RenderedMessage(String subject, String html, String text) {
}
