package io.mailer.ingress.deadletter;

import io.mailer.ingress.auth.ApiPrincipal;
import io.mailer.ingress.auth.TenantScope;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Dead letters of {@code sends-dlt} (admin scope): list a batch's, replay them to {@code sends}.
 * Scoped to the key's tenant; an operator admin may name another tenant or all ({@code ?tenant=*}).
 * A batch with no dead letters in scope that the caller cannot see answers 404, like a missing one.
 * Kafka reads are blocking, so they run on the bounded-elastic scheduler.
 */
@RestController
@RequestMapping("/api/v1/admin/dead-letters")
class DeadLetterController {

    public record DeadLetterList(String batchId, List<DeadLetters.DeadLetter> deadLetters) {
    }

    /** {@code sendIds} empty or absent: every dead letter of the batch. */
    public record ReplayRequest(String batchId, List<String> sendIds) {
    }

    private final DeadLetters deadLetters;
    private final DeadLetterReplayer replayer;
    private final BatchOwner owner;

    DeadLetterController(DeadLetters deadLetters, DeadLetterReplayer replayer, BatchOwner owner) {
        this.deadLetters = deadLetters;
        this.replayer = replayer;
        this.owner = owner;
    }

    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<DeadLetterList> list(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @RequestParam(name = "batchId", required = false) String batchId,
            @RequestParam(name = "tenant", required = false) String tenant) {
        principal.require(ApiPrincipal.Scope.ADMIN);
        TenantScope scope = TenantScope.of(principal, tenant);
        String batch = requireBatch(batchId);
        return Mono.fromCallable(() -> deadLetters.list(batch, scope))
                .subscribeOn(Schedulers.boundedElastic())
                .onErrorMap(DeadLetterController::kafkaUnavailable)
                .flatMap(found -> found.isEmpty() ? requireVisible(owner, batch, scope).thenReturn(found) : Mono.just(found))
                .map(found -> new DeadLetterList(batch, found));
    }

    @PostMapping(path = "/replay", consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<DeadLetterReplayer.Result> replay(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @RequestParam(name = "tenant", required = false) String tenant,
            @RequestBody(required = false) ReplayRequest request) {
        principal.require(ApiPrincipal.Scope.ADMIN);
        TenantScope scope = TenantScope.of(principal, tenant);
        String batch = requireBatch(request == null ? null : request.batchId());
        return replayer.replay(batch, scope, request.sendIds() == null || request.sendIds().isEmpty() ? null : request.sendIds());
    }

    static Mono<Void> requireVisible(BatchOwner owner, String batchId, TenantScope scope) {
        return owner.visible(batchId, scope)
                .onErrorMap(DeadLetterController::postgresUnavailable)
                .flatMap(visible -> visible ? Mono.<Void>empty() : Mono.error(new ResponseStatusException(HttpStatus.NOT_FOUND,
                        "No batch " + batchId + ".")));
    }

    static Throwable kafkaUnavailable(Throwable e) {
        return e instanceof ResponseStatusException ? e : new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE,
                "The dead-letter topic could not be read (Kafka unreachable); retry shortly.", e);
    }

    static Throwable postgresUnavailable(Throwable e) {
        return e instanceof ResponseStatusException ? e : new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE,
                "Dead-letter replay needs PostgreSQL (replay ledger, suppressions), which is unreachable; retry shortly.", e);
    }

    private static String requireBatch(String batchId) {
        if (batchId == null || batchId.isBlank()) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "batchId is required.");
        }
        return batchId;
    }
}
