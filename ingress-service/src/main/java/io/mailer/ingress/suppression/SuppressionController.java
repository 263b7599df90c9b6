package io.mailer.ingress.suppression;

import static io.mailer.ingress.batch.BatchController.requireScope;

import io.mailer.ingress.auth.ApiPrincipal;
import io.mailer.ingress.batch.EmailAddressRule;
import io.mailer.ingress.web.Page;
import io.mailer.ingress.web.Problems.FieldProblem;
import io.mailer.ingress.web.ValidationException;
import io.mailer.schemas.events.EmailAddresses;
import io.mailer.schemas.events.Suppression;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.r2dbc.core.DatabaseClient;
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
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Suppressions of the caller's tenant. Writes go to the {@code suppressions} topic (answered 202:
 * the topology applies them at once, the table follows within a second); reads come from the
 * table the projector maintains. A COMPLAINT suppression cannot be deleted or downgraded by the
 * tenant ({@link ComplaintGuard}).
 */
@RestController
@RequestMapping("/api/v1/suppressions")
public class SuppressionController {

    static final int MAX_IMPORT = 100_000;

    public record SuppressionView(String email, String reason, String sourceEventId, Instant createdAt) {
    }

    public record PutSuppression(String reason) {
    }

    public record Imported(int imported) {
    }

    private final SuppressionWriter writer;
    private final DatabaseClient db;
    private final JsonMapper json;
    private final ComplaintGuard complaints;

    public SuppressionController(SuppressionWriter writer, DatabaseClient db, JsonMapper json, ComplaintGuard complaints) {
        this.writer = writer;
        this.db = db;
        this.json = json;
        this.complaints = complaints;
    }

    @GetMapping(path = "/{email}", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<SuppressionView> get(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal, @PathVariable String email) {
        requireScope(principal, ApiPrincipal.Scope.SUPPRESSIONS);
        return find(principal.tenantId(), email)
                .switchIfEmpty(Mono.error(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "The address is not suppressed.")));
    }

    /** The tenant's suppression of this address, if any (503 when PostgreSQL is unreachable). */
    Mono<SuppressionView> find(String tenant, String email) {
        return db.sql("SELECT email, reason, source_event_id, created_at FROM suppression WHERE tenant_id = :tenant AND email = :email")
                .bind("tenant", tenant).bind("email", EmailAddresses.normalize(email))
                .map(row -> view(row.get("email", String.class), row.get("reason", String.class),
                        row.get("source_event_id", String.class), row.get("created_at", OffsetDateTime.class)))
                .one()
                .onErrorMap(SuppressionController::unavailable);
    }

    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<Page<SuppressionView>> list(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @RequestParam(required = false) String cursor, @RequestParam(required = false) Integer limit) {
        requireScope(principal, ApiPrincipal.Scope.SUPPRESSIONS);
        return page(principal.tenantId(), cursor, limit);
    }

    Mono<Page<SuppressionView>> page(String tenant, String cursor, Integer limit) {
        int max = Page.limit(limit);
        String after = Page.decode(cursor);
        return query(tenant, after == null ? "" : after, max + 1).collectList()
                .map(rows -> Page.of(rows, max, SuppressionView::email));
    }

    /** Everything, streamed: NDJSON by default, CSV ({@code email,reason,createdAt}) when asked for text/csv. */
    @GetMapping(path = "/export", produces = {"application/x-ndjson", "text/csv"})
    public Flux<String> export(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @RequestHeader(name = "Accept", required = false) String accept) {
        requireScope(principal, ApiPrincipal.Scope.SUPPRESSIONS);
        boolean csv = accept != null && accept.contains("text/csv");
        Flux<String> rows = query(principal.tenantId(), "", Integer.MAX_VALUE)
                .map(s -> csv ? s.email() + "," + s.reason() + "," + s.createdAt() + "\n" : json.writeValueAsString(s) + "\n");
        return csv ? Flux.concat(Flux.just("email,reason,createdAt\n"), rows) : rows;
    }

    @PutMapping(path = "/{email}", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<SuppressionView>> put(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @PathVariable String email, @RequestBody(required = false) PutSuppression body) {
        requireScope(principal, ApiPrincipal.Scope.SUPPRESSIONS);
        Suppression s = suppression(principal.tenantId(), email, body == null ? null : body.reason(), "email");
        Mono<Void> guard = s.reason() == Suppression.Reason.COMPLAINT ? Mono.empty()
                : complaints.refuseIfComplaint(principal.tenantId(), s.email(), "replaced by a " + s.reason() + " one");
        return guard.then(writer.put(List.of(s))).thenReturn(ResponseEntity.accepted()
                .body(new SuppressionView(s.email(), s.reason().name(), null, s.createdAt())));
    }

    @DeleteMapping(path = "/{email}")
    public Mono<ResponseEntity<Void>> delete(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @PathVariable String email) {
        requireScope(principal, ApiPrincipal.Scope.SUPPRESSIONS);
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
        requireScope(principal, ApiPrincipal.Scope.SUPPRESSIONS);
        boolean csv = contentType.toLowerCase(Locale.ROOT).startsWith("text/csv");
        return Mono.fromCallable(() -> parse(principal.tenantId(), body, csv))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(list -> complaints.withoutDowngrades(principal.tenantId(), list))
                .flatMap(list -> writer.put(list).thenReturn(ResponseEntity.accepted().body(new Imported(list.size()))));
    }

    private List<Suppression> parse(String tenant, Flux<DataBuffer> body, boolean csv) throws IOException {
        List<Suppression> out = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(DataBufferUtils.subscriberInputStream(body, 4),
                StandardCharsets.UTF_8))) {
            String line;
            int n = 0;
            while ((line = in.readLine()) != null) {
                n++;
                if (line.isBlank() || (csv && n == 1 && line.trim().toLowerCase(Locale.ROOT).startsWith("email"))) {
                    continue;
                }
                if (out.size() == MAX_IMPORT) {
                    throw new ResponseStatusException(HttpStatus.CONTENT_TOO_LARGE, "An import holds at most " + MAX_IMPORT + " addresses.");
                }
                String email;
                String reason = null;
                if (csv) {
                    String[] cells = line.split(",", -1);
                    email = cells[0].trim();
                    reason = cells.length > 1 && !cells[1].isBlank() ? cells[1].trim() : null;
                } else {
                    Map<?, ?> obj;
                    try {
                        obj = json.readValue(line, Map.class);
                    } catch (JacksonException e) {
                        throw new ValidationException(List.of(new FieldProblem("line " + n, "is not a JSON object")));
                    }
                    email = obj.get("email") instanceof String e ? e : null;
                    reason = obj.get("reason") instanceof String r ? r : null;
                }
                out.add(suppression(tenant, email, reason, "line " + n));
            }
        }
        return out;
    }

    static Suppression suppression(String tenant, String email, String reason, String field) {
        String problem = EmailAddressRule.problem(email);
        if (problem != null) {
            throw new ValidationException(List.of(new FieldProblem(field, "email " + problem)));
        }
        Suppression.Reason r = Suppression.Reason.MANUAL;
        if (reason != null) {
            try {
                r = Suppression.Reason.valueOf(reason.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ValidationException(List.of(new FieldProblem(field, "reason must be one of BOUNCE, COMPLAINT, UNSUBSCRIBE, MANUAL")));
            }
        }
        return new Suppression(tenant, email, r, null, Instant.now());
    }

    private Flux<SuppressionView> query(String tenant, String afterEmail, int limit) {
        return db.sql("SELECT email, reason, source_event_id, created_at FROM suppression"
                        + " WHERE tenant_id = :tenant AND email > :after ORDER BY email LIMIT :limit")
                .bind("tenant", tenant).bind("after", afterEmail).bind("limit", limit)
                .map(row -> view(row.get("email", String.class), row.get("reason", String.class),
                        row.get("source_event_id", String.class), row.get("created_at", OffsetDateTime.class)))
                .all()
                .onErrorMap(SuppressionController::unavailable);
    }

    private static SuppressionView view(String email, String reason, String source, OffsetDateTime created) {
        return new SuppressionView(email, reason, source, created == null ? null : created.toInstant());
    }

    static Throwable unavailable(Throwable e) {
        return e instanceof ResponseStatusException ? e : new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE,
                "Suppressions are temporarily unavailable (PostgreSQL unreachable).", e);
    }
}
