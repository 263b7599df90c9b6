package io.mailer.ingress.tenant;

import io.mailer.ingress.auth.ApiPrincipal;
import io.mailer.ingress.web.Page;
import io.mailer.ingress.web.Problems.FieldProblem;
import io.mailer.ingress.web.ValidationException;
import io.mailer.schemas.reputation.ReputationPolicy;
import io.mailer.schemas.reputation.ReputationState;
import io.mailer.schemas.reputation.TenantState;
import io.mailer.schemas.reputation.WindowCounts;
import java.time.Instant;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
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
 * Tenants: their sending policy and their state under the reputation guard. An operator admin
 * (admin key of tenant {@code default}) reads every tenant, sets policies and resumes paused
 * tenants; a tenant admin reads only its own (another tenant is 404, as everywhere) and can change
 * neither: widening its own senders or lifting its own pause is exactly what they prevent.
 */
@RestController
@RequestMapping("/api/v1/admin/tenants")
class TenantController {

    /** {@code reputation} null: the tenant's reputation policy is left as it is. */
    public record PolicyRequest(List<String> allowedSenders, String configurationSet, ReputationRequest reputation) {
        public PolicyRequest(List<String> allowedSenders, String configurationSet) {
            this(allowedSenders, configurationSet, null);
        }
    }

    /** Any field left out keeps the tenant's current value (its own, or the default). */
    public record ReputationRequest(Double throttleBounceRate, Double pauseBounceRate, Double throttleComplaintRate,
            Double pauseComplaintRate, Long minSends, Long minDeliveries, Double throttleShare, String pausedSubmissions) {
    }

    /**
     * A tenant: its sending policy and its state under the reputation guard ({@code state} null while
     * this replica has not yet read the states written before it started).
     */
    public record TenantView(String id, List<String> allowedSenders, String configurationSet, ReputationState state,
            Instant since, String reason, double bounceRate, double complaintRate, WindowCounts window,
            ReputationPolicy reputation, Instant updatedAt) {
    }

    /** The whole account: the tenants' windows added up, and the rates over them. */
    public record AccountView(double bounceRate, double complaintRate, WindowCounts window) {
    }

    public record TenantPage(List<TenantView> items, String nextCursor, AccountView account) {
    }

    private final TenantStore store;
    private final TenantPolicies policies;
    private final TenantStatesView states;
    private final TenantCommands commands;

    TenantController(TenantStore store, TenantPolicies policies, TenantStatesView states, TenantCommands commands) {
        this.store = store;
        this.policies = policies;
        this.states = states;
        this.commands = commands;
    }

    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<TenantPage> list(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @RequestParam(required = false) String cursor, @RequestParam(required = false) Integer limit) {
        requireOperator(principal);
        int max = Page.limit(limit);
        WindowCounts account = states.account();
        return store.list(Page.decode(cursor), max).map(this::view).collectList()
                .map(rows -> Page.of(rows, max, TenantView::id))
                .map(page -> new TenantPage(page.items(), page.nextCursor(),
                        new AccountView(account.bounceRate(), account.complaintRate(), account)))
                .onErrorMap(TenantController::unavailable);
    }

    @GetMapping(path = "/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<TenantView> get(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal, @PathVariable String id) {
        principal.require(ApiPrincipal.Scope.ADMIN);
        if (!isOperator(principal) && !principal.tenantId().equals(id)) {
            return Mono.error(notFound(id));
        }
        return store.find(id).map(this::view)
                .onErrorMap(TenantController::unavailable)
                .switchIfEmpty(Mono.error(() -> notFound(id)));
    }

    /**
     * Ends a pause (or a throttle): the reputation guard sets the tenant ACTIVE with a fresh window,
     * and the dispatchers release its held sends in order. 202: the state changes within about a
     * second (read it back with GET). Operator admins only: a tenant must not lift its own pause.
     */
    @PostMapping(path = "/{id}/resume", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<TenantView>> resume(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal,
            @PathVariable String id) {
        requireOperator(principal);
        checkId(id);
        return commands.resume(id, "key " + principal.keyId())
                .then(Mono.fromSupplier(() -> ResponseEntity.status(HttpStatus.ACCEPTED)
                        .body(view(new TenantStore.TenantRow(id, SenderPolicy.ANY)))));
    }

    @PutMapping(path = "/{id}/policy", consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<TenantView> putPolicy(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal, @PathVariable String id,
            @RequestBody PolicyRequest request) {
        requireOperator(principal);
        checkId(id);
        SenderPolicy policy = PolicyRules.validated(request);
        ReputationPolicy reputation = request.reputation() == null ? null
                : ReputationRules.merged(request.reputation(), states.get(id).map(TenantState::policy).orElse(null));
        Mono<Void> reputationWritten = reputation == null ? Mono.empty()
                : commands.policy(id, reputation, "key " + principal.keyId());
        return store.save(id, policy)
                .onErrorMap(TenantController::unavailable)
                .then(reputationWritten)
                .then(Mono.fromSupplier(() -> {
                    policies.remember(id, policy);
                    TenantView v = view(new TenantStore.TenantRow(id, policy));
                    return reputation == null ? v : new TenantView(v.id(), v.allowedSenders(), v.configurationSet(), v.state(),
                            v.since(), v.reason(), v.bounceRate(), v.complaintRate(), v.window(), reputation, v.updatedAt());
                }));
    }

    private static void checkId(String id) {
        if (!id.matches("[a-z0-9_-]{1,64}")) {
            throw new ValidationException(List.of(new FieldProblem("id", "must match [a-z0-9_-]{1,64}")));
        }
    }

    private static boolean isOperator(ApiPrincipal principal) {
        return principal.can(ApiPrincipal.Scope.ADMIN) && TenantPolicies.OPERATOR_TENANT.equals(principal.tenantId());
    }

    private static void requireOperator(ApiPrincipal principal) {
        principal.require(ApiPrincipal.Scope.ADMIN);
        if (!isOperator(principal)) {
            throw new ResponseStatusException(HttpStatus.FORBIDDEN,
                    "Only operator admins (admin keys of tenant 'default') may list tenants or set a tenant's policy.");
        }
    }

    private TenantView view(TenantStore.TenantRow row) {
        TenantState s = states.get(row.id()).orElse(null);
        if (s == null) {
            // no counted event yet: ACTIVE under the defaults (unknown until this replica has read the topic)
            return new TenantView(row.id(), row.policy().allowedSenders(), row.policy().configurationSet(),
                    states.isInitialized() ? ReputationState.ACTIVE : null, null, "no events counted yet", 0, 0,
                    WindowCounts.EMPTY, null, null);
        }
        return new TenantView(row.id(), row.policy().allowedSenders(), row.policy().configurationSet(), s.state(), s.since(),
                s.reason(), s.bounceRate(), s.complaintRate(), s.window(), s.policy(), s.updatedAt());
    }

    private static ResponseStatusException notFound(String id) {
        return new ResponseStatusException(HttpStatus.NOT_FOUND, "No tenant " + id + ".");
    }

    private static Throwable unavailable(Throwable e) {
        return e instanceof ResponseStatusException ? e : new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE,
                "The tenant store (PostgreSQL) is unavailable; retry shortly.", e);
    }
}
