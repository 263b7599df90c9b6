package io.mailer.ingress.deadletter;

import static io.mailer.ingress.batch.BatchController.requireScope;

import io.mailer.ingress.auth.ApiPrincipal;
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
 * Operator endpoints (admin scope) over {@code sends-dlt}: list a batch's dead letters, replay them
 * to {@code sends}. Kafka reads are blocking, so they run on the bounded-elastic scheduler.
 */
@RestController
@RequestMapping("/api/v1/admin/dead-letters")
public class DeadLetterController {

    public record DeadLetterList(String batchId, List<DeadLetters.DeadLetter> deadLetters) {
    }

    /** {@code sendIds} empty or absent: every dead letter of the batch. */
    public record ReplayRequest(String batchId, List<String> sendIds) {
    }

    public record Replayed(String batchId, int replayed) {
    }

    private final DeadLetters deadLetters;

    public DeadLetterController(DeadLetters deadLetters) {
        this.deadLetters = deadLetters;
    }

    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<DeadLetterList> list(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @RequestParam(name = "batchId", required = false) String batchId) {
        requireScope(principal, ApiPrincipal.Scope.ADMIN);
        String batch = requireBatch(batchId);
        return Mono.fromCallable(() -> new DeadLetterList(batch, deadLetters.list(batch)))
                .subscribeOn(Schedulers.boundedElastic());
    }

    @PostMapping(path = "/replay", consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<Replayed> replay(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @RequestBody(required = false) ReplayRequest request) {
        requireScope(principal, ApiPrincipal.Scope.ADMIN);
        String batch = requireBatch(request == null ? null : request.batchId());
        return Mono.fromCallable(() -> new Replayed(batch, deadLetters.replay(batch, request.sendIds())))
                .subscribeOn(Schedulers.boundedElastic());
    }

    private static String requireBatch(String batchId) {
        if (batchId == null || batchId.isBlank()) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "batchId is required.");
        }
        return batchId;
    }
}
