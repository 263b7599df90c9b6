package io.mailer.ingress.batch;

import io.mailer.ingress.auth.ApiPrincipal;
import io.mailer.ingress.batch.IdempotentSubmission.Submitted;
import io.mailer.ingress.limits.RateLimits;
import io.mailer.ingress.system.IngressProperties;
import io.mailer.ingress.tenant.PausedTenants;
import io.mailer.ingress.tenant.SenderPolicy;
import io.mailer.ingress.tenant.TenantPolicies;
import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.commands.RecipientEntry;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Supplier;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /api/v1/batches}: a batch as one JSON document or as NDJSON (message line, then one
 * recipient per line), both through {@link IdempotentSubmission} and written by
 * {@link BatchSubmitter}. Reads and cancellation are {@link BatchController}.
 */
@RestController
@RequestMapping("/api/v1/batches")
class SubmitController {

    /** {@code warning}: set when the batch was accepted for a tenant whose sending is paused. */
    public record Accepted(String id, String status, int recipients,
            @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) String warning) {
        public Accepted(String id, String status, int recipients) {
            this(id, status, recipients, null);
        }

        Accepted withWarning(String w) {
            return w == null ? this : new Accepted(id, status, recipients, w);
        }
    }

    private final BatchSubmitter submitter;
    private final NdjsonBatchReader ndjson;
    private final IdempotentSubmission idempotent;
    private final IngressProperties props;
    private final RateLimits limits;
    private final JsonMapper json;
    private final BatchRequestValidator validator;
    private final TenantPolicies policies;
    private final BatchOwners owners;
    private final PausedTenants paused;
    private final Clock clock = Clock.systemUTC();

    SubmitController(BatchSubmitter submitter, NdjsonBatchReader ndjson, IdempotentSubmission idempotent, IngressProperties props,
            RateLimits limits, JsonMapper json, TenantPolicies policies, BatchOwners owners, PausedTenants paused) {
        this.submitter = submitter;
        this.ndjson = ndjson;
        this.idempotent = idempotent;
        this.props = props;
        this.limits = limits;
        this.json = json;
        this.policies = policies;
        this.owners = owners;
        this.paused = paused;
        this.validator = new BatchRequestValidator(props.maxRecipients(), !props.defaultFrom().isBlank());
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<Accepted>> submit(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @RequestHeader(name = IdempotentSubmission.HEADER, required = false) String key,
            @RequestBody(required = false) SubmitBatchRequest request) {
        principal.require(ApiPrincipal.Scope.SEND);
        String warning = paused.checkSubmit(principal.tenantId()).orElse(null);
        if (request == null) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "The request body is empty: a JSON batch is required.");
        }
        Instant now = clock.instant();
        validator.validate(request, now);
        List<RecipientEntry> recipients = request.recipients().stream().map(BatchMessages::entry).toList();
        int[] sizes = BatchRequestValidator.recipientSizes(recipients);
        return policies.forSubmit(principal.tenantId()).flatMap(policy -> {
            MessageContent message = content(request, policy);
            String hash = key == null ? null
                    : HexFormat.of().formatHex(NdjsonBatchReader.sha256().digest(json.writeValueAsBytes(request)));
            Mono<Submitted> submission = Mono.defer(() -> {
                String batchId = BatchIds.next();
                return submitter.submit(batchId, principal.tenantId(), message, now, RecipientSource.of(recipients, sizes),
                                n -> limits.recipients(principal, n), n -> limits.release(principal, n))
                        .map(count -> accepted(principal, batchId, request, now, count, hash));
            });
            return idempotent.submit(principal.tenantId(), key, hash, submission, () -> Mono.just(hash));
        }).map(r -> warned(r, warning));
    }

    /** Streams an NDJSON batch into one Kafka transaction while it arrives. */
    @PostMapping(consumes = "application/x-ndjson", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<Accepted>> submitNdjson(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @RequestHeader(name = IdempotentSubmission.HEADER, required = false) String key, @RequestBody Flux<DataBuffer> body) {
        principal.require(ApiPrincipal.Scope.SEND);
        String warning = paused.checkSubmit(principal.tenantId()).orElse(null);
        Instant now = clock.instant();
        Mono<Submitted> submission = policies.forSubmit(principal.tenantId()).flatMap(policy -> Mono.fromCallable(() -> readable(() -> {
                    NdjsonBatchReader.Lines lines = ndjson.open(DataBufferUtils.subscriberInputStream(body, 4), now);
                    MessageContent message = content(lines.message(), policy);
                    String batchId = BatchIds.next();
                    int count = submitter.write(batchId, principal.tenantId(), message, now, capped(lines, props.maxNdjsonRecipients()),
                            n -> limits.recipients(principal, n), n -> limits.release(principal, n));
                    return accepted(principal, batchId, lines.message(), now, count, lines.hash());
                }))
                .subscribeOn(Schedulers.boundedElastic()));
        // a repeat: the first body's hash is known; hash this one (without writing anything) to compare
        return idempotent.submit(principal.tenantId(), key, null, submission,
                () -> Mono.fromCallable(() -> readable(() -> NdjsonBatchReader.hashOnly(DataBufferUtils.subscriberInputStream(body, 4))))
                        .subscribeOn(Schedulers.boundedElastic()))
                .map(r -> warned(r, warning));
    }

    /** What JSON and NDJSON share once the message is parsed: the tenant's sender policy and the message budget. */
    private MessageContent content(SubmitBatchRequest request, SenderPolicy policy) {
        SenderCheck.check(request, props.defaultFrom(), policy);
        MessageContent message = BatchMessages.content(request, props.defaultFrom(), policy.configurationSet());
        BatchRequestValidator.checkMessageSize(message);
        return message;
    }

    /** A batch in Kafka: its owner is remembered for reads, and the answer recorded for repeats. */
    private Submitted accepted(ApiPrincipal principal, String batchId, SubmitBatchRequest request, Instant now, int count,
            String hash) {
        owners.remember(batchId, principal.tenantId());
        return new Submitted(new Accepted(batchId, BatchMessages.status(request, now), count), hash);
    }

    /**
     * The NDJSON body's recipients, refused with 413 once there are more than {@code max}
     * (INGRESS_MAX_NDJSON_RECIPIENTS), naming the first line too many before it is parsed.
     */
    private static RecipientSource capped(NdjsonBatchReader.Lines lines, int max) {
        return new RecipientSource() {
            private int count;

            @Override
            public boolean hasNext() {
                boolean more = lines.hasNext();
                if (more && count == max) {
                    throw new ResponseStatusException(HttpStatus.CONTENT_TOO_LARGE,
                            "The batch has more than " + max + " recipients (line " + lines.lineNumber() + ").");
                }
                return more;
            }

            @Override
            public Sized next() {
                count++;
                return lines.next();
            }

            @Override
            public int[] knownSizes() {
                return null;
            }

            @Override
            public int upperBound() {
                return max;
            }
        };
    }

    /** A body that could not be read (the client went away, the connection broke) is a 400. */
    private static <T> T readable(Supplier<T> read) {
        try {
            return read.get();
        } catch (NdjsonBatchReader.UnreadableBody e) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "The request body could not be read: " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "The request body could not be read.", e);
        }
    }

    private static ResponseEntity<Accepted> warned(ResponseEntity<Accepted> r, String warning) {
        return warning == null || r.getBody() == null ? r
                : ResponseEntity.status(r.getStatusCode()).headers(r.getHeaders()).body(r.getBody().withWarning(warning));
    }
}
