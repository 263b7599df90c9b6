package io.mailer.ingress.tenant;

import static io.mailer.ingress.batch.BatchController.requireScope;

import io.mailer.ingress.auth.ApiPrincipal;
import io.mailer.ingress.web.Page;
import io.mailer.ingress.web.Problems.FieldProblem;
import io.mailer.ingress.web.ValidationException;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
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
 * Tenants and their sending policy. An operator admin (admin key of tenant {@code default}) reads
 * and sets every tenant's policy; a tenant admin reads only its own (another tenant is 404, as
 * everywhere) and cannot change it: widening its own senders is exactly what the policy prevents.
 */
@RestController
@RequestMapping("/api/v1/admin/tenants")
public class TenantController {

    public record PolicyRequest(List<String> allowedSenders, String configurationSet) {
    }

    public record TenantView(String id, List<String> allowedSenders, String configurationSet) {
    }

    private final TenantStore store;
    private final TenantPolicies policies;

    TenantController(TenantStore store, TenantPolicies policies) {
        this.store = store;
        this.policies = policies;
    }

    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<Page<TenantView>> list(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @RequestParam(required = false) String cursor, @RequestParam(required = false) Integer limit) {
        requireOperator(principal);
        int max = Page.limit(limit);
        return store.list(Page.decode(cursor), max).map(TenantController::view).collectList()
                .map(rows -> Page.of(rows, max, TenantView::id))
                .onErrorMap(TenantController::unavailable);
    }

    @GetMapping(path = "/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<TenantView> get(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal, @PathVariable String id) {
        requireScope(principal, ApiPrincipal.Scope.ADMIN);
        if (!isOperator(principal) && !principal.tenantId().equals(id)) {
            return Mono.error(notFound(id));
        }
        return store.find(id).map(TenantController::view)
                .onErrorMap(TenantController::unavailable)
                .switchIfEmpty(Mono.error(() -> notFound(id)));
    }

    @PutMapping(path = "/{id}/policy", consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<TenantView> putPolicy(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal, @PathVariable String id,
            @RequestBody PolicyRequest request) {
        requireOperator(principal);
        if (!id.matches("[a-z0-9_-]{1,64}")) {
            throw new ValidationException(List.of(new FieldProblem("id", "must match [a-z0-9_-]{1,64}")));
        }
        SenderPolicy policy = PolicyRules.validated(request);
        return store.save(id, policy)
                .onErrorMap(TenantController::unavailable)
                .then(Mono.fromSupplier(() -> {
                    policies.remember(id, policy);
                    return new TenantView(id, policy.allowedSenders(), policy.configurationSet());
                }));
    }

    private static boolean isOperator(ApiPrincipal principal) {
        return principal.can(ApiPrincipal.Scope.ADMIN) && TenantPolicies.OPERATOR_TENANT.equals(principal.tenantId());
    }

    private static void requireOperator(ApiPrincipal principal) {
        requireScope(principal, ApiPrincipal.Scope.ADMIN);
        if (!isOperator(principal)) {
            throw new ResponseStatusException(HttpStatus.FORBIDDEN,
                    "Only operator admins (admin keys of tenant 'default') may list tenants or set a tenant's policy.");
        }
    }

    private static TenantView view(TenantStore.TenantRow row) {
        return new TenantView(row.id(), row.policy().allowedSenders(), row.policy().configurationSet());
    }

    private static ResponseStatusException notFound(String id) {
        return new ResponseStatusException(HttpStatus.NOT_FOUND, "No tenant " + id + ".");
    }

    private static Throwable unavailable(Throwable e) {
        return e instanceof ResponseStatusException ? e : new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE,
                "The tenant store (PostgreSQL) is unavailable; retry shortly.", e);
    }
}
