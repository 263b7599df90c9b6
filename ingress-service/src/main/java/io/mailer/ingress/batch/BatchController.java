package io.mailer.ingress.batch;

import io.mailer.ingress.auth.ApiPrincipal;
import io.mailer.ingress.system.IngressProperties;
import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.commands.RecipientEntry;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;

@RestController
@RequestMapping("/api/v1/batches")
public class BatchController {

    private final BatchSubmitter submitter;
    private final BatchQueries queries;
    private final IngressProperties props;
    private final BatchRequestValidator validator;
    private final Clock clock = Clock.systemUTC();

    public BatchController(BatchSubmitter submitter, BatchQueries queries, IngressProperties props) {
        this.submitter = submitter;
        this.queries = queries;
        this.props = props;
        this.validator = new BatchRequestValidator(props.maxRecipients(), !props.defaultFrom().isBlank());
    }

    public record Accepted(String id, String status, int recipients) {
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<Accepted>> submit(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @RequestBody(required = false) SubmitBatchRequest request) {
        requireScope(principal, ApiPrincipal.Scope.SEND);
        if (request == null) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "The request body is empty: a JSON batch is required.");
        }
        Instant now = clock.instant();
        validator.validate(request, now);
        String batchId = BatchIds.next();
        MessageContent message = new MessageContent(
                blankToNull(request.from()) != null ? request.from().trim() : props.defaultFrom(),
                blankToNull(request.replyTo()), request.subject(), blankToNull(request.html()), blankToNull(request.text()),
                request.headers(), request.tags(), request.sendAt(), Boolean.TRUE.equals(request.transactional()));
        List<RecipientEntry> recipients = request.recipients().stream()
                .map(r -> new RecipientEntry(r.email().trim(), r.variables(), r.metadata()))
                .toList();
        String status = request.sendAt() != null && request.sendAt().isAfter(now) ? "SCHEDULED" : "ACCEPTED";
        return submitter.submit(batchId, principal.tenantId(), message, recipients, props.chunkSize(), now)
                .thenReturn(ResponseEntity.status(HttpStatus.ACCEPTED)
                        .location(URI.create("/api/v1/batches/" + batchId))
                        .body(new Accepted(batchId, status, recipients.size())));
    }

    @GetMapping(path = "/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<BatchView> get(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal, @PathVariable String id) {
        requireScope(principal, ApiPrincipal.Scope.READ);
        if (!BatchIds.looksValid(id)) {
            return Mono.error(notFound(id));
        }
        return queries.find(principal.tenantId(), id).switchIfEmpty(Mono.error(() -> notFound(id)));
    }

    private static ResponseStatusException notFound(String id) {
        // the same answer whether the batch does not exist or belongs to another tenant
        return new ResponseStatusException(HttpStatus.NOT_FOUND, "No batch " + id + " (it may still be in flight if just submitted).");
    }

    static void requireScope(ApiPrincipal principal, ApiPrincipal.Scope scope) {
        if (!principal.can(scope)) {
            throw new ResponseStatusException(HttpStatus.FORBIDDEN, "This API key lacks the '" + scope.name().toLowerCase() + "' scope.");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

}
