package io.mailer.ingress.batch;

import io.mailer.ingress.auth.ApiPrincipal;
import io.mailer.ingress.idempotency.IdempotencyStore;
import io.mailer.ingress.limits.RateLimits;
import io.mailer.ingress.system.IngressProperties;
import io.mailer.ingress.tenant.PausedTenants;
import io.mailer.ingress.tenant.TenantPolicies;
import io.mailer.ingress.web.Page;
import io.mailer.schemas.commands.BatchCancellation;
import io.mailer.schemas.commands.BatchCommand;
import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.commands.RecipientEntry;
import java.net.URI;
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
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

@RestController
@RequestMapping("/api/v1/batches")
public class BatchController {

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private final BatchSubmitter submitter;
    private final BatchQueries queries;
    private final BatchDetailQueries details;
    private final BatchListQueries list;
    private final NdjsonBatchReader ndjson;
    private final IdempotencyStore idempotency;
    private final IngressProperties props;
    private final RateLimits limits;
    private final JsonMapper json;
    private final BatchRequestValidator validator;
    private final TenantPolicies policies;
    private final BatchOwners owners;
    private final PausedTenants paused;
    private final Clock clock = Clock.systemUTC();

    BatchController(BatchSubmitter submitter, BatchQueries queries, BatchDetailQueries details, NdjsonBatchReader ndjson,
            IdempotencyStore idempotency, IngressProperties props, RateLimits limits, JsonMapper json, TenantPolicies policies,
            BatchOwners owners, BatchListQueries list, PausedTenants paused) {
        this.list = list;
        this.paused = paused;
        this.policies = policies;
        this.owners = owners;
        this.limits = limits;
        this.submitter = submitter;
        this.queries = queries;
        this.details = details;
        this.ndjson = ndjson;
        this.idempotency = idempotency;
        this.props = props;
        this.json = json;
        this.validator = new BatchRequestValidator(props.maxRecipients(), !props.defaultFrom().isBlank());
    }

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

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<Accepted>> submit(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @RequestHeader(name = IDEMPOTENCY_KEY, required = false) String key,
            @RequestBody(required = false) SubmitBatchRequest request) {
        requireScope(principal, ApiPrincipal.Scope.SEND);
        String warning = paused.checkSubmit(principal.tenantId()).orElse(null);
        if (request == null) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "The request body is empty: a JSON batch is required.");
        }
        Instant now = clock.instant();
        validator.validate(request, now);
        List<RecipientEntry> recipients = request.recipients().stream().map(BatchMessages::entry).toList();
        int[] sizes = BatchRequestValidator.recipientSizes(recipients);
        return policies.forSubmit(principal.tenantId()).flatMap(policy -> {
            SenderCheck.check(request, props.defaultFrom(), policy);
            MessageContent message = BatchMessages.content(request, props.defaultFrom(), policy.configurationSet());
            BatchRequestValidator.checkMessageSize(message);
            return submitJson(principal, key, request, message, recipients, sizes, now);
        }).map(r -> warned(r, warning));
    }

    private Mono<ResponseEntity<Accepted>> submitJson(ApiPrincipal principal, String key, SubmitBatchRequest request,
            MessageContent message, List<RecipientEntry> recipients, int[] sizes, Instant now) {
        Supplier<Mono<Accepted>> submit = () -> {
            String batchId = BatchIds.next();
            return Mono.fromRunnable(() -> limits.recipients(principal, recipients.size()))
                    .then(submitter.submit(batchId, principal.tenantId(), message, recipients, sizes, props.chunkSize(), now)
                            .doOnError(e -> limits.release(principal, recipients.size())))
                    .doOnSuccess(v -> owners.remember(batchId, principal.tenantId()))
                    .thenReturn(new Accepted(batchId, BatchMessages.status(request, now), recipients.size()));
        };
        if (key == null) {
            return submit.get().map(BatchController::accepted);
        }
        String hash = HexFormat.of().formatHex(NdjsonBatchReader.sha256().digest(json.writeValueAsBytes(request)));
        return idempotency.claim(principal.tenantId(), checkKey(key), hash).flatMap(claim -> {
            if (claim instanceof IdempotencyStore.Done d) {
                return replay(d, hash);
            }
            if (claim instanceof IdempotencyStore.InFlight) {
                return Mono.error(inFlight());
            }
            return submitOnce(principal, key, submit.get().map(a -> new Submitted(a, hash)));
        });
    }

    /** Streams an NDJSON batch (message line, then one recipient per line) into one Kafka transaction. */
    @PostMapping(consumes = "application/x-ndjson", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<Accepted>> submitNdjson(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @RequestHeader(name = IDEMPOTENCY_KEY, required = false) String key, @RequestBody Flux<DataBuffer> body) {
        requireScope(principal, ApiPrincipal.Scope.SEND);
        String warning = paused.checkSubmit(principal.tenantId()).orElse(null);
        Instant now = clock.instant();
        Mono<Submitted> ingest = policies.forSubmit(principal.tenantId()).flatMap(policy -> Mono.fromCallable(() -> {
                    var result = ndjson.ingest(DataBufferUtils.subscriberInputStream(body, 4), principal.tenantId(), policy, now,
                            n -> limits.recipients(principal, n), n -> limits.release(principal, n));
                    owners.remember(result.batchId(), principal.tenantId());
                    return new Submitted(new Accepted(result.batchId(), result.status(), result.recipients()), result.requestHash());
                })
                .subscribeOn(Schedulers.boundedElastic()));
        if (key == null) {
            return ingest.map(s -> warned(accepted(s.accepted()), warning));
        }
        return idempotency.claim(principal.tenantId(), checkKey(key), null).flatMap(claim -> {
            if (claim instanceof IdempotencyStore.Done d) {
                // the first body's hash is known; hash this one (without writing anything) to compare
                return Mono.fromCallable(() -> NdjsonBatchReader.hashOnly(DataBufferUtils.subscriberInputStream(body, 4)))
                        .subscribeOn(Schedulers.boundedElastic())
                        .flatMap(hash -> replay(d, hash));
            }
            if (claim instanceof IdempotencyStore.InFlight) {
                return Mono.error(inFlight());
            }
            return submitOnce(principal, key, ingest);
        }).map(r -> warned(r, warning));
    }

    private record Submitted(Accepted accepted, String hash) {
    }

    private Mono<ResponseEntity<Accepted>> submitOnce(ApiPrincipal principal, String key, Mono<Submitted> submit) {
        return submit
                .onErrorResume(e -> idempotency.release(principal.tenantId(), key).then(Mono.error(e)))
                .flatMap(s -> idempotency.complete(principal.tenantId(), key, s.hash(), 202, json.writeValueAsString(s.accepted()))
                        // the batch is in Kafka: answer 202 even if the key could not be marked done
                        .onErrorResume(e -> Mono.empty())
                        .thenReturn(accepted(s.accepted())));
    }

    private Mono<ResponseEntity<Accepted>> replay(IdempotencyStore.Done done, String hash) {
        if (!hash.equals(done.requestHash())) {
            return Mono.error(new ResponseStatusException(HttpStatus.CONFLICT,
                    "This Idempotency-Key was used with a different request body."));
        }
        Accepted first = json.readValue(done.body(), Accepted.class);
        return Mono.just(ResponseEntity.status(done.status()).header("Idempotent-Replayed", "true")
                .location(URI.create("/api/v1/batches/" + first.id())).body(first));
    }

    private static ResponseStatusException inFlight() {
        return new ResponseStatusException(HttpStatus.CONFLICT,
                "A request with this Idempotency-Key is still being processed; retry when it has finished.");
    }

    private static String checkKey(String key) {
        if (key.isEmpty() || key.length() > 255 || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "Idempotency-Key must be 1-255 visible ASCII characters.");
        }
        return key;
    }

    private static ResponseEntity<Accepted> warned(ResponseEntity<Accepted> r, String warning) {
        return warning == null || r.getBody() == null ? r
                : ResponseEntity.status(r.getStatusCode()).headers(r.getHeaders()).body(r.getBody().withWarning(warning));
    }

    private static ResponseEntity<Accepted> accepted(Accepted a) {
        return ResponseEntity.status(HttpStatus.ACCEPTED).location(URI.create("/api/v1/batches/" + a.id())).body(a);
    }

    /** The tenant's batches, newest first, keyset-paginated; filters as in {@link BatchListRequest}. */
    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<Page<BatchView>> list(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @RequestParam(required = false) String status, @RequestParam(required = false) String createdAfter,
            @RequestParam(required = false) String createdBefore, @RequestParam(required = false) String tag,
            @RequestParam(required = false) String cursor, @RequestParam(required = false) String limit) {
        requireScope(principal, ApiPrincipal.Scope.READ);
        return list.list(principal.tenantId(), BatchListRequest.parse(status, createdAfter, createdBefore, tag, cursor, limit));
    }

    @GetMapping(path = "/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<BatchView> get(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal, @PathVariable String id) {
        requireScope(principal, ApiPrincipal.Scope.READ);
        if (!BatchIds.looksValid(id)) {
            return Mono.error(notFound(id));
        }
        return queries.find(principal.tenantId(), id).switchIfEmpty(Mono.error(() -> notFound(id)));
    }

    @GetMapping(path = "/{id}/recipients", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<Page<BatchDetailQueries.RecipientView>> recipients(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @PathVariable String id, @RequestParam(required = false) String status, @RequestParam(required = false) String cursor,
            @RequestParam(required = false) Integer limit) {
        requireScope(principal, ApiPrincipal.Scope.READ);
        int max = Page.limit(limit);
        return owned(principal, id).then(details.recipients(principal.tenantId(), id, status, cursor, max));
    }

    @GetMapping(path = "/{id}/events", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<Page<BatchDetailQueries.EventView>> events(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @PathVariable String id, @RequestParam(required = false) String type, @RequestParam(required = false) String cursor,
            @RequestParam(required = false) Integer limit) {
        requireScope(principal, ApiPrincipal.Scope.READ);
        int max = Page.limit(limit);
        return owned(principal, id).then(details.events(principal.tenantId(), id, type, cursor, max));
    }

    /**
     * {@code handedToSes}: recipients the view shows as sent or failed when the cancel was taken —
     * a lower bound (the view lags the pipeline by about a second, and sends already in flight still
     * go out); null, with {@code handedToSesAsOf}, while PostgreSQL is unreachable.
     */
    public record CancelAccepted(String id, String status, Long handedToSes, Instant handedToSesAsOf) {
    }

    private record Handed(Long count, Instant asOf) {
    }

    /**
     * Cancels the unsent recipients of a batch: the CANCEL command and the compacted cancellation
     * record go out in one Kafka transaction. Ownership is checked in the view (the batch is
     * normally visible within a second of its submission), which also gives {@code handedToSes}.
     * With PostgreSQL down, cancel needs Kafka only: ownership then comes from the batches this
     * replica accepted or saw ({@link BatchOwners}); any other batch gets 503, as accepting it
     * could let one tenant cancel another's batch.
     */
    @PostMapping(path = "/{id}/cancel", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<CancelAccepted>> cancel(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @PathVariable String id) {
        requireScope(principal, ApiPrincipal.Scope.SEND);
        if (!BatchIds.looksValid(id)) {
            return Mono.error(notFound(id));
        }
        Instant now = clock.instant();
        String tenant = principal.tenantId();
        Mono<Handed> handed = details.handedToSes(tenant, id)
                .timeout(java.time.Duration.ofSeconds(5))
                .map(n -> {
                    owners.remember(id, tenant);
                    return new Handed(n, clock.instant());
                })
                .onErrorResume(e -> owners.owns(tenant, id) ? Mono.just(new Handed(null, null))
                        : Mono.error(new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE, "The batch's owner cannot be checked"
                                + " (PostgreSQL unreachable) and this replica did not accept it; retry shortly.", e)))
                .switchIfEmpty(Mono.error(() -> notFound(id)));
        return handed.flatMap(h -> submitter.cancel(BatchCommand.cancel(id, tenant, now), new BatchCancellation(id, tenant, now))
                .thenReturn(ResponseEntity.status(HttpStatus.ACCEPTED).body(new CancelAccepted(id, "CANCELLING", h.count(), h.asOf()))));
    }

    private Mono<Void> owned(ApiPrincipal principal, String id) {
        if (!BatchIds.looksValid(id)) {
            return Mono.error(notFound(id));
        }
        return details.exists(principal.tenantId(), id).flatMap(found -> found ? Mono.<Void>empty() : Mono.error(notFound(id)));
    }

    static ResponseStatusException notFound(String id) {
        // the same answer whether the batch does not exist or belongs to another tenant
        return new ResponseStatusException(HttpStatus.NOT_FOUND, "No batch " + id + " (it may still be in flight if just submitted).");
    }

    public static void requireScope(ApiPrincipal principal, ApiPrincipal.Scope scope) {
        if (!principal.can(scope)) {
            throw new ResponseStatusException(HttpStatus.FORBIDDEN, "This API key lacks the '" + scope.name().toLowerCase() + "' scope.");
        }
    }
}
