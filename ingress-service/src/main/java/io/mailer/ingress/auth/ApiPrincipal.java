package io.mailer.ingress.auth;

import java.util.Set;

/** Who is calling: the key's id, its tenant and its scopes. Every read and write is scoped to the tenant. */
public record ApiPrincipal(String keyId, String tenantId, Set<Scope> scopes) {

    public static final String ATTRIBUTE = "mailer.apiPrincipal";
    /** The operator's tenant: its admin keys (the bootstrap key is one) are operator admins. */
    public static final String OPERATOR_TENANT = "default";

    public enum Scope { SEND, READ, SUPPRESSIONS, WEBHOOKS, ADMIN }

    public boolean can(Scope scope) {
        return scopes.contains(scope) || scopes.contains(Scope.ADMIN);
    }

    /** Every endpoint's first check; admin implies every scope. */
    public void require(Scope scope) {
        if (!can(scope)) {
            throw new AccessDenied("This API key lacks the '" + scope.name().toLowerCase() + "' scope.");
        }
    }

    /** An operator admin: admin scope in tenant {@code default}. Admins of other tenants are tenant admins. */
    public boolean operator() {
        return OPERATOR_TENANT.equals(tenantId) && scopes.contains(Scope.ADMIN);
    }
}
