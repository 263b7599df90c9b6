package io.mailer.ingress.batch;

import io.mailer.ingress.auth.ApiPrincipal;
import io.mailer.ingress.web.Page;
import io.mailer.schemas.commands.BatchCancellation;
import io.mailer.schemas.commands.BatchCommand;
import java.time.Clock;
import java.time.Instant;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;

/**
 * A batch once submitted: its status, list, recipients and events (read from the view), and its
 * cancellation. Submission is {@link SubmitController}.
 */
@RestController
@RequestMapping("/api/v1/batches")
class BatchController {

    private final BatchSubmitter submitter;
    private final BatchQueries queries;
    private final BatchDetailQueries details;
    private final BatchListQueries list;
    private final BatchOwners owners;
    private final Clock clock = Clock.systemUTC();

    BatchController(BatchSubmitter submitter, BatchQueries queries, BatchDetailQueries details, BatchOwners owners,
            BatchListQueries list) {
        this.list = list;
        this.owners = owners;
        this.submitter = submitter;
        this.queries = queries;
        this.details = details;
    }

    /** The tenant's batches, newest first, keyset-paginated; filters as in {@link BatchListRequest}. */
    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<Page<BatchView>> list(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @RequestParam(required = false) String status, @RequestParam(required = false) String createdAfter,
            @RequestParam(required = false) String createdBefore, @RequestParam(required = false) String tag,
            @RequestParam(required = false) String cursor, @RequestParam(required = false) String limit) {
        principal.require(ApiPrincipal.Scope.READ);
        return list.list(principal.tenantId(), BatchListRequest.parse(status, createdAfter, createdBefore, tag, cursor, limit));
    }

    @GetMapping(path = "/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<BatchView> get(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal, @PathVariable String id) {
        principal.require(ApiPrincipal.Scope.READ);
        if (!BatchIds.looksValid(id)) {
            return Mono.error(notFound(id));
        }
        return queries.find(principal.tenantId(), id).switchIfEmpty(Mono.error(() -> notFound(id)));
    }

    @GetMapping(path = "/{id}/recipients", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<Page<BatchDetailQueries.RecipientView>> recipients(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @PathVariable String id, @RequestParam(required = false) String status, @RequestParam(required = false) String cursor,
            @RequestParam(required = false) Integer limit) {
        principal.require(ApiPrincipal.Scope.READ);
        int max = Page.limit(limit);
        return owned(principal, id).then(details.recipients(principal.tenantId(), id, status, cursor, max));
    }

    @GetMapping(path = "/{id}/events", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<Page<BatchDetailQueries.EventView>> events(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @PathVariable String id, @RequestParam(required = false) String type, @RequestParam(required = false) String cursor,
            @RequestParam(required = false) Integer limit) {
        principal.require(ApiPrincipal.Scope.READ);
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
        principal.require(ApiPrincipal.Scope.SEND);
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
}
