package io.mailer.ingress.auth;

import java.util.Set;

/** Who is calling: the key's id, its tenant and its scopes. Every read and write is scoped to the tenant. */
public record ApiPrincipal(String keyId, String tenantId, Set<Scope> scopes) {

    public static final String ATTRIBUTE = "mailer.apiPrincipal";

    public enum Scope { SEND, READ, SUPPRESSIONS, ADMIN }

    public boolean can(Scope scope) {
        return scopes.contains(scope) || scopes.contains(Scope.ADMIN);
    }
}
