package io.mailer.schemas.limits;

/**
 * The one size budget of the pipeline. Every Kafka record Mailer writes stays under
 * {@link #MAX_RECORD_BYTES}, which Kafka's defaults already carry (topic {@code max.message.bytes}
 * 1,048,588, producer {@code max.request.size} 1,048,576, consumer fetch sizes); producers and the
 * topic declarations set {@link #KAFKA_MAX_BYTES} explicitly so a broker with smaller defaults is
 * found at start, not at the first large batch.
 *
 * <p>Ingress enforces the parts: a batch's message (subject, html, text, headers, tags, from,
 * replyTo as JSON) at most {@link #MAX_MESSAGE_BYTES}, one recipient (email, variables, metadata as
 * JSON) at most {@link #MAX_RECIPIENT_BYTES}, and it closes a {@code batch-commands} chunk before
 * message + recipients would pass {@link #MAX_RECORD_BYTES}. So a send request (message + one
 * recipient + ids) is at most ~{@code 512 KiB + 64 KiB + 1 KiB}, far inside the budget.
 */
public final class RecordBudget {

    /** Largest record value Mailer writes to any topic. */
    public static final int MAX_RECORD_BYTES = 1_000_000;
    /** Producers' {@code max.request.size} and topics' {@code max.message.bytes}: the budget plus headers and batch overhead. */
    public static final int KAFKA_MAX_BYTES = 1_048_576;
    /** A batch's message content, JSON-encoded. */
    public static final int MAX_MESSAGE_BYTES = 512 * 1024;
    /** One recipient (email, variables, metadata), JSON-encoded. */
    public static final int MAX_RECIPIENT_BYTES = 64 * 1024;

    private RecordBudget() {
    }
}
