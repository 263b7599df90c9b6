package io.mailer.ingress.suppression;

import io.mailer.ingress.auth.ApiPrincipal;
import io.mailer.ingress.auth.TenantScope;
import io.mailer.ingress.web.EmailAddressRule;
import io.mailer.ingress.suppression.SuppressionController.PutSuppression;
import io.mailer.ingress.suppression.SuppressionController.SuppressionView;
import io.mailer.ingress.web.Page;
import io.mailer.ingress.web.Problems.FieldProblem;
import io.mailer.ingress.web.ValidationException;
import io.mailer.schemas.events.Suppression;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;

/**
 * The operator-wide suppression list (tenant {@code *}: the topology drops an address on it for
 * every tenant). Operator admins only; same shapes as {@code /suppressions}. The operator may
 * delete any entry of this list, COMPLAINT included: it is the operator's own list.
 */
@RestController
@RequestMapping("/api/v1/admin/global-suppressions")
class GlobalSuppressionController {

    private static final String GLOBAL = Suppression.OPERATOR_WIDE_TENANT;

    private final SuppressionQueries suppressions;
    private final SuppressionWriter writer;

    GlobalSuppressionController(SuppressionQueries suppressions, SuppressionWriter writer) {
        this.suppressions = suppressions;
        this.writer = writer;
    }

    @GetMapping(path = "/{email}", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<SuppressionView> get(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal, @PathVariable String email) {
        requireOperator(principal);
        return suppressions.find(GLOBAL, email).switchIfEmpty(Mono.error(() -> new ResponseStatusException(HttpStatus.NOT_FOUND,
                "The address is not on the operator-wide suppression list.")));
    }

    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<Page<SuppressionView>> list(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @RequestParam(required = false) String cursor, @RequestParam(required = false) Integer limit) {
        requireOperator(principal);
        return suppressions.page(GLOBAL, cursor, limit);
    }

    @PutMapping(path = "/{email}", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<SuppressionView>> put(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @PathVariable String email, @RequestBody(required = false) PutSuppression body) {
        requireOperator(principal);
        Suppression s = SuppressionInput.suppression(GLOBAL, email, body == null ? null : body.reason(), "email");
        return writer.put(List.of(s)).thenReturn(ResponseEntity.accepted()
                .body(new SuppressionView(s.email(), s.reason().name(), null, s.createdAt())));
    }

    @DeleteMapping(path = "/{email}")
    public Mono<ResponseEntity<Void>> delete(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @PathVariable String email) {
        requireOperator(principal);
        String problem = EmailAddressRule.problem(email);
        if (problem != null) {
            throw new ValidationException(List.of(new FieldProblem("email", problem)));
        }
        return writer.remove(GLOBAL, email).thenReturn(ResponseEntity.accepted().<Void>build());
    }

    private static void requireOperator(ApiPrincipal principal) {
        principal.require(ApiPrincipal.Scope.ADMIN);
        TenantScope.requireOperator(principal);
    }
}
