package io.mailer.dispatcher.render;

import java.time.Duration;

/**
 * The most one recipient's message may cost to render: characters written (all parts together) and
 * wall time. A template can multiply its output (a section over a list nested in another over the
 * same list) or loop without writing; either ends the render as that recipient's failure instead of
 * holding the consumer thread or the heap.
 */
record RenderBudget(long maxOutputChars, Duration maxTime) {

    /** 4 Mi characters: well above any real email body (SES takes 40 MB with attachments), and a bounded heap cost. */
    public static final RenderBudget DEFAULT = new RenderBudget(4L * 1024 * 1024, Duration.ofSeconds(2));
}
