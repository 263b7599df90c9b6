package io.mailer.ingress.batch;

import io.mailer.ingress.system.IngressProperties;
import io.mailer.ingress.tenant.SenderPolicy;
import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.commands.RecipientEntry;
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
import java.util.function.IntConsumer;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads an {@code application/x-ndjson} batch — line 1 the message, then one recipient per line —
 * and writes it into one Kafka transaction while it streams. Blocking: run it off the event loop.
 * The first bad line aborts the transaction and answers 400 naming the line, so nothing of the
 * batch ever reaches a read_committed consumer.
 */
@Component
class NdjsonBatchReader {

    /** The message line may carry the HTML and text bodies; a recipient line is small. */
    static final int MAX_MESSAGE_LINE = 12 * 1024 * 1024;
    static final int MAX_RECIPIENT_LINE = 64 * 1024;

    public record Result(String batchId, String status, int recipients, String requestHash) {
    }

    private final BatchSubmitter submitter;
    private final IngressProperties props;
    private final BatchRequestValidator validator;
    private final ObjectReader messageReader;
    private final ObjectReader recipientReader;

    public NdjsonBatchReader(BatchSubmitter submitter, IngressProperties props, JsonMapper json) {
        this.submitter = submitter;
        this.props = props;
        this.validator = new BatchRequestValidator(props.maxRecipients(), !props.defaultFrom().isBlank());
        this.messageReader = json.readerFor(SubmitBatchRequest.class);
        this.recipientReader = json.readerFor(SubmitBatchRequest.Recipient.class);
    }

    /** Validates and writes the batch; returns once the Kafka transaction is committed. */
    public Result ingest(InputStream body, String tenantId, SenderPolicy policy, Instant now, IntConsumer reserve, IntConsumer release) {
        MessageDigest digest = sha256();
        BoundedLineReader lines = new BoundedLineReader(new DigestInputStream(body, digest), MAX_MESSAGE_LINE);
        try {
            SubmitBatchRequest request = readMessage(lines, now);
            SenderCheck.check(request, props.defaultFrom(), policy);
            MessageContent message = BatchMessages.content(request, props.defaultFrom(), policy.configurationSet());
            BatchRequestValidator.checkMessageSize(message);
            String batchId = BatchIds.next();
            lines.maxLineBytes(MAX_RECIPIENT_LINE);
            int max = props.maxNdjsonRecipients();
            try (ChunkedBatchWriter writer = submitter.open(batchId, tenantId, message, props.chunkSize(), now).upperBound(max)) {
                while (lines.next()) {
                    if (lines.isBlank()) {
                        continue;
                    }
                    if (writer.count() == max) {
                        throw new ResponseStatusException(HttpStatus.CONTENT_TOO_LARGE,
                                "The batch has more than " + max + " recipients (line " + lines.lineNumber() + ").");
                    }
                    RecipientEntry entry = BatchMessages.entry(readRecipient(lines));
                    int bytes = BatchRequestValidator.recipientBytes(entry);
                    String tooLarge = BatchRequestValidator.recipientSizeProblem(bytes);
                    if (tooLarge != null) {
                        throw lineProblem(lines.lineNumber(), tooLarge);
                    }
                    writer.add(entry, bytes);
                }
                if (writer.count() == 0) {
                    throw lineProblem(lines.lineNumber() + 1, "must be a recipient: the batch has no recipients");
                }
                reserve.accept(writer.count()); // the daily recipient budget, checked before anything is visible
                try {
                    writer.commit(writer.count());
                } catch (RuntimeException e) {
                    release.accept(writer.count());
                    throw BatchSubmitter.unavailable(e);
                }
                return new Result(batchId, BatchMessages.status(request, now), writer.count(), hex(digest));
            }
        } catch (BoundedLineReader.LineTooLongException e) {
            throw lineProblem(lines.lineNumber(), e.getMessage());
        } catch (IOException e) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "The request body could not be read: " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "The request body could not be read.", e);
        }
    }

    /** Reads the whole body only to hash it: an Idempotency-Key replay must compare bodies. */
    public static String hashOnly(InputStream body) {
        MessageDigest digest = sha256();
        try (DigestInputStream in = new DigestInputStream(body, digest)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "The request body could not be read.", e);
        }
        return hex(digest);
    }

    private SubmitBatchRequest readMessage(BoundedLineReader lines, Instant now) throws IOException {
        while (lines.next()) {
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

    private SubmitBatchRequest.Recipient readRecipient(BoundedLineReader lines) {
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
        return recipient;
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
