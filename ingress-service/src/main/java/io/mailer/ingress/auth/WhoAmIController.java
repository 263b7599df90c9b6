package io.mailer.ingress.auth;

import java.util.List;
import java.util.Locale;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/me}: what the calling key may do (its tenant, scopes, operator or not), so a
 * client such as the console shows only what the key can use. Any valid key; nothing secret.
 */
@RestController
class WhoAmIController {

    record Me(String keyId, String tenantId, List<String> scopes, boolean operator) {
    }

    @GetMapping(path = "/api/v1/me", produces = MediaType.APPLICATION_JSON_VALUE)
    Me me(@RequestAttribute(ApiPrincipal.ATTRIBUTE) ApiPrincipal principal) {
        List<String> scopes = principal.scopes().stream().map(s -> s.name().toLowerCase(Locale.ROOT)).sorted().toList();
        return new Me(principal.keyId(), principal.tenantId(), scopes, principal.operator());
    }
}
