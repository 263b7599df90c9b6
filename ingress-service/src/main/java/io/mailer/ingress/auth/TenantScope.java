package io.mailer.ingress.auth;

/**
 * The tenants a request reads or acts on: the key's own tenant unless an operator admin asks for
 * another one ({@code ?tenant=<id>}) or for all of them ({@code ?tenant=*}). Seeing other tenants
 * is never the default, so an operator script cannot touch every tenant by forgetting a filter.
 */
public record TenantScope(String tenantId) {

    /** The value that asks for every tenant. */
    public static final String ALL = "*";

    /** {@code requested} null or blank: the key's tenant. A tenant admin naming another tenant → 403. */
    public static TenantScope of(ApiPrincipal principal, String requested) {
        if (requested == null || requested.isBlank() || requested.equals(principal.tenantId())) {
            return new TenantScope(principal.tenantId());
        }
        requireOperator(principal);
        return new TenantScope(ALL.equals(requested.trim()) ? null : requested.trim());
    }

    /** Operator-wide views and the global suppression list: tenant admins get 403. */
    public static void requireOperator(ApiPrincipal principal) {
        if (!principal.operator()) {
            throw new AccessDenied("Only operator admins (admin keys of tenant '"
                    + ApiPrincipal.OPERATOR_TENANT + "') may do this; this key is an admin of its own tenant only.");
        }
    }

    public boolean all() {
        return tenantId == null;
    }

    public boolean includes(String tenant) {
        return tenantId == null || tenantId.equals(tenant);
    }
}
