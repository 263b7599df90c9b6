package io.mailer.ingress.suppression;

import io.mailer.ingress.auth.ApiPrincipal;
import io.mailer.ingress.web.EmailAddressRule;
import io.mailer.ingress.web.Page;
import io.mailer.ingress.web.Problems.FieldProblem;
import io.mailer.ingress.web.ValidationException;
import io.mailer.schemas.events.Suppression;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
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

/**
 * Suppressions of the caller's tenant. Writes go to the {@code suppressions} topic (answered 202:
 * the topology applies them at once, the table follows within a second); reads come from the
 * table the projector maintains. A COMPLAINT suppression cannot be deleted or downgraded by the
 * tenant ({@link ComplaintGuard}).
 */
@RestController
@RequestMapping("/api/v1/suppressions")
class SuppressionController {

    public record SuppressionView(String email, String reason, String sourceEventId, Instant createdAt) {
    }

    public record PutSuppression(String reason) {
    }

    public record Imported(int imported) {
    }

    private final SuppressionWriter writer;
    private final SuppressionQueries queries;
    private final SuppressionInput input;
    private final JsonMapper json;
    private final ComplaintGuard complaints;

    SuppressionController(SuppressionWriter writer, SuppressionQueries queries, JsonMapper json, ComplaintGuard complaints) {
        this.writer = writer;
        this.queries = queries;
        this.input = new SuppressionInput(json);
        this.json = json;
        this.complaints = complaints;
    }

    @GetMapping(path = "/{email}", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<SuppressionView> get(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal, @PathVariable String email) {
        principal.require(ApiPrincipal.Scope.SUPPRESSIONS);
        return queries.find(principal.tenantId(), email)
                .switchIfEmpty(Mono.error(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "The address is not suppressed.")));
    }

    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<Page<SuppressionView>> list(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @RequestParam(required = false) String cursor, @RequestParam(required = false) Integer limit) {
        principal.require(ApiPrincipal.Scope.SUPPRESSIONS);
        return queries.page(principal.tenantId(), cursor, limit);
    }

    /** Everything, streamed: NDJSON by default, CSV ({@code email,reason,createdAt}) when asked for text/csv. */
    @GetMapping(path = "/export", produces = {"application/x-ndjson", "text/csv"})
    public Flux<String> export(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @RequestHeader(name = "Accept", required = false) String accept) {
        principal.require(ApiPrincipal.Scope.SUPPRESSIONS);
        boolean csv = accept != null && accept.contains("text/csv");
        Flux<String> rows = queries.all(principal.tenantId())
                .map(s -> csv ? s.email() + "," + s.reason() + "," + s.createdAt() + "\n" : json.writeValueAsString(s) + "\n");
        return csv ? Flux.concat(Flux.just("email,reason,createdAt\n"), rows) : rows;
    }

    @PutMapping(path = "/{email}", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<SuppressionView>> put(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @PathVariable String email, @RequestBody(required = false) PutSuppression body) {
        principal.require(ApiPrincipal.Scope.SUPPRESSIONS);
        Suppression s = SuppressionInput.suppression(principal.tenantId(), email, body == null ? null : body.reason(), "email");
        Mono<Void> guard = s.reason() == Suppression.Reason.COMPLAINT ? Mono.empty()
                : complaints.refuseIfComplaint(principal.tenantId(), s.email(), "replaced by a " + s.reason() + " one");
        return guard.then(writer.put(List.of(s))).thenReturn(ResponseEntity.accepted()
                .body(new SuppressionView(s.email(), s.reason().name(), null, s.createdAt())));
    }

    @DeleteMapping(path = "/{email}")
    public Mono<ResponseEntity<Void>> delete(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @PathVariable String email) {
        principal.require(ApiPrincipal.Scope.SUPPRESSIONS);
        String problem = EmailAddressRule.problem(email);
        if (problem != null) {
            throw new ValidationException(List.of(new FieldProblem("email", problem)));
        }
        return complaints.refuseIfComplaint(principal.tenantId(), email, "deleted")
                .then(writer.remove(principal.tenantId(), email)).thenReturn(ResponseEntity.accepted().<Void>build());
    }

    /**
     * Bulk import, one transaction: NDJSON lines {@code {"email","reason"}} or CSV lines
     * {@code email[,reason]} (a header line starting with "email" is skipped). Any bad line
     * rejects the whole import with 400 naming the line.
     */
    @PostMapping(path = "/import", consumes = {"application/x-ndjson", "text/csv"}, produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<Imported>> importAll(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @RequestHeader("Content-Type") String contentType, @RequestBody Flux<DataBuffer> body) {
        principal.require(ApiPrincipal.Scope.SUPPRESSIONS);
        boolean csv = contentType.toLowerCase(Locale.ROOT).startsWith("text/csv");
        return Mono.fromCallable(() -> input.parse(principal.tenantId(), body, csv))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(list -> complaints.withoutDowngrades(principal.tenantId(), list))
                .flatMap(list -> writer.put(list).thenReturn(ResponseEntity.accepted().body(new Imported(list.size()))));
    }
}
