package io.mailer.ingress.batch;

import io.mailer.ingress.system.IngressProperties;
import io.mailer.ingress.web.Problems.FieldProblem;
import io.mailer.ingress.web.ValidationException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.NoSuchElementException;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

/**
 * Parses an {@code application/x-ndjson} batch — line 1 the message, then one recipient per line —
 * while it streams: {@link #open} reads and validates the message line, the returned
 * {@link Lines} yields the recipients one by one, holding one line at a time. It only parses: a
 * bad line is a {@link ValidationException} naming the line and the rule; what is done with the
 * recipients (limits, budget, Kafka) is the submission's ({@link SubmitController},
 * {@link BatchSubmitter}). Blocking: run it off the event loop.
 */
@Component
class NdjsonBatchReader {

    /** The message line may carry the HTML and text bodies; a recipient line is small. */
    static final int MAX_MESSAGE_LINE = 12 * 1024 * 1024;
    static final int MAX_RECIPIENT_LINE = 64 * 1024;

    /** The body could not be read (the connection failed); not a fault of any line. */
    static final class UnreadableBody extends RuntimeException {
        UnreadableBody(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    private final BatchRequestValidator validator;
    private final ObjectReader messageReader;
    private final ObjectReader recipientReader;

    NdjsonBatchReader(IngressProperties props, JsonMapper json) {
        this.validator = new BatchRequestValidator(props.maxRecipients(), !props.defaultFrom().isBlank());
        this.messageReader = json.readerFor(SubmitBatchRequest.class);
        this.recipientReader = json.readerFor(SubmitBatchRequest.Recipient.class);
    }

    /** Reads and validates the message line (the first non-blank one); the recipients follow from the result. */
    Lines open(InputStream body, Instant now) {
        return new Lines(body, now);
    }

    /** One NDJSON body: its message, then its recipients, then (once they are all read) its hash. */
    final class Lines {

        private final MessageDigest digest = sha256();
        private final BoundedLineReader lines;
        private final SubmitBatchRequest message;
        private boolean pending;
        private boolean ended;
        private int yielded;

        private Lines(InputStream body, Instant now) {
            this.lines = new BoundedLineReader(new DigestInputStream(body, digest), MAX_MESSAGE_LINE);
            this.message = readMessage(now);
            lines.maxLineBytes(MAX_RECIPIENT_LINE);
        }

        SubmitBatchRequest message() {
            return message;
        }

        /**
         * Moves to the next non-blank line without parsing it. At the end of a body that held no
         * recipient, fails naming the line after the last.
         */
        boolean hasNext() {
            if (pending) {
                return true;
            }
            if (ended) {
                return false;
            }
            while (advance()) {
                if (!lines.isBlank()) {
                    pending = true;
                    return true;
                }
            }
            ended = true;
            if (yielded == 0) {
                throw lineProblem(lines.lineNumber() + 1, "must be a recipient: the batch has no recipients");
            }
            return false;
        }

        /** Parses and validates the line {@link #hasNext} moved to. */
        RecipientSource.Sized next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            pending = false;
            SubmitBatchRequest.Recipient recipient;
            try {
                recipient = recipientReader.readValue(lines.bytes(), 0, lines.length());
            } catch (JacksonException e) {
                throw lineProblem(lines.lineNumber(), "is not a JSON recipient object: " + e.getOriginalMessage());
            }
            String problem = BatchRequestValidator.recipientProblem(recipient);
            if (problem != null) {
                throw lineProblem(lines.lineNumber(), "email " + problem);
            }
            var entry = BatchMessages.entry(recipient);
            int bytes = BatchRequestValidator.recipientBytes(entry);
            String tooLarge = BatchRequestValidator.recipientSizeProblem(bytes);
            if (tooLarge != null) {
                throw lineProblem(lines.lineNumber(), tooLarge);
            }
            yielded++;
            return new RecipientSource.Sized(entry, bytes);
        }

        /** The line {@link #hasNext} moved to (or the last one read). */
        int lineNumber() {
            return lines.lineNumber();
        }

        /** SHA-256 of the whole body, once {@link #hasNext} has returned false. */
        String hash() {
            return hex(digest);
        }

        private SubmitBatchRequest readMessage(Instant now) {
            while (advance()) {
                if (lines.isBlank()) {
                    continue;
                }
                SubmitBatchRequest request;
                try {
                    request = messageReader.readValue(lines.bytes(), 0, lines.length());
                } catch (JacksonException e) {
                    throw lineProblem(lines.lineNumber(), "is not a JSON message object: " + e.getOriginalMessage());
                }
                if (request == null) {
                    throw lineProblem(lines.lineNumber(), "must be the message object");
                }
                validator.validateMessage(request, now);
                return request;
            }
            throw lineProblem(1, "must be the message object: the body is empty");
        }

        private boolean advance() {
            try {
                return lines.next();
            } catch (BoundedLineReader.LineTooLongException e) {
                throw lineProblem(lines.lineNumber(), e.getMessage());
            } catch (IOException e) {
                throw new UnreadableBody(e);
            }
        }
    }

    /** Reads the whole body only to hash it: an Idempotency-Key replay must compare bodies. */
    static String hashOnly(InputStream body) {
        MessageDigest digest = sha256();
        try (DigestInputStream in = new DigestInputStream(body, digest)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return hex(digest);
    }

    private static ValidationException lineProblem(int line, String message) {
        return new ValidationException(List.of(new FieldProblem("line " + line, message)));
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }
}
