package io.mailer.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Operator admins (admin keys of tenant default) against tenant admins: operator-only views, the global list, complaints. */
class OperatorAdminIT {

    static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
    };
    static final String OPERATOR = IngressTestStack.ADMIN_KEY;
    static IngressTestStack stack;
    static String tenantAdmin;
    static String operatorAdmin;

    @BeforeAll
    static void start() {
        stack = new IngressTestStack("it-operator.", Map.of());
        tenantAdmin = createKey("acme", "admin");
        // an admin key of tenant default created by the bootstrap key is an operator admin too
        operatorAdmin = createKey("default", "admin");
        stack.sql("INSERT INTO suppression (tenant_id, email, reason, created_at) VALUES ('acme', 'spam-reporter@example.com', 'COMPLAINT', now())",
                "INSERT INTO suppression (tenant_id, email, reason, created_at) VALUES ('acme', 'bounced@example.com', 'BOUNCE', now())",
                "INSERT INTO suppression (tenant_id, email, reason, created_at) VALUES ('*', 'a-global@example.com', 'MANUAL', now())",
                "INSERT INTO suppression (tenant_id, email, reason, created_at) VALUES ('*', 'b-global@example.com', 'COMPLAINT', now())");
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    private static String createKey(String tenant, String scope) {
        return (String) stack.client.post().uri("/api/v1/api-keys").header("Authorization", "Bearer " + OPERATOR)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("tenantId", tenant, "scopes", List.of(scope)))
                .exchange().expectStatus().isCreated().expectBody(MAP).returnResult().getResponseBody().get("key");
    }

    private static WebTestClient.ResponseSpec call(HttpMethod method, String path, String key) {
        return stack.client.method(method).uri(path).header("Authorization", "Bearer " + key).exchange();
    }

    @Test
    void pipelineIsForOperatorAdminsOnly() {
        call(HttpMethod.GET, "/api/v1/admin/pipeline", tenantAdmin).expectStatus().isForbidden()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("https://mailer.dev/problems/forbidden")
                .jsonPath("$.detail").value(d -> assertThat((String) d).contains("operator admins"));
        call(HttpMethod.GET, "/api/v1/admin/pipeline", OPERATOR).expectStatus().isOk();
        call(HttpMethod.GET, "/api/v1/admin/pipeline", operatorAdmin).expectStatus().isOk();
    }

    @Test
    void globalSuppressionsAreForOperatorAdminsOnly() {
        for (HttpMethod m : List.of(HttpMethod.GET, HttpMethod.PUT, HttpMethod.DELETE)) {
            call(m, "/api/v1/admin/global-suppressions/x@example.com", tenantAdmin).expectStatus().isForbidden()
                    .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
        }
        call(HttpMethod.GET, "/api/v1/admin/global-suppressions", tenantAdmin).expectStatus().isForbidden();
    }

    @Test
    @SuppressWarnings("unchecked")
    void operatorManagesTheGlobalList() {
        // list, paginated by address
        Map<String, Object> page = call(HttpMethod.GET, "/api/v1/admin/global-suppressions?limit=1", operatorAdmin)
                .expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody();
        assertThat((List<Map<String, Object>>) page.get("items")).extracting(i -> i.get("email")).containsExactly("a-global@example.com");
        Map<String, Object> next = call(HttpMethod.GET, "/api/v1/admin/global-suppressions?limit=1&cursor=" + page.get("nextCursor"),
                operatorAdmin).expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody();
        assertThat((List<Map<String, Object>>) next.get("items")).extracting(i -> i.get("email")).containsExactly("b-global@example.com");
        call(HttpMethod.GET, "/api/v1/admin/global-suppressions/A-Global@Example.com", OPERATOR).expectStatus().isOk()
                .expectBody().jsonPath("$.reason").isEqualTo("MANUAL");
        call(HttpMethod.GET, "/api/v1/admin/global-suppressions/bounced@example.com", OPERATOR).expectStatus().isNotFound();

        // PUT and DELETE write the operator-wide key (* + address) on the suppressions topic
        stack.client.put().uri("/api/v1/admin/global-suppressions/New@Example.com").header("Authorization", "Bearer " + OPERATOR)
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"reason\":\"MANUAL\"}").exchange().expectStatus().isAccepted();
        call(HttpMethod.DELETE, "/api/v1/admin/global-suppressions/b-global@example.com", OPERATOR).expectStatus().isAccepted();
        var written = stack.read(stack.topics.suppressions, r -> r.key().startsWith("*|"), 2);
        assertThat(written).extracting(r -> r.key()).containsExactlyInAnyOrder("*|new@example.com", "*|b-global@example.com");
        assertThat(written).filteredOn(r -> r.key().equals("*|new@example.com")).singleElement()
                .satisfies(r -> assertThat(r.value().tenantId()).isEqualTo("*"));
        assertThat(written).filteredOn(r -> r.key().equals("*|b-global@example.com")).singleElement()
                .satisfies(r -> assertThat(r.value()).isNull());
    }

    @Test
    void aTenantCannotDeleteOrDowngradeAComplaintSuppression() {
        // DELETE of a COMPLAINT: 409 problem+json saying why; of a BOUNCE: accepted
        call(HttpMethod.DELETE, "/api/v1/suppressions/Spam-Reporter@example.com", tenantAdmin).expectStatus().isEqualTo(409)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("https://mailer.dev/problems/complaint-suppression")
                .jsonPath("$.detail").value(d -> assertThat((String) d).contains("COMPLAINT"));
        call(HttpMethod.DELETE, "/api/v1/suppressions/bounced@example.com", tenantAdmin).expectStatus().isAccepted();
        // replacing it by a weaker reason (which could then be deleted) is refused too
        stack.client.put().uri("/api/v1/suppressions/spam-reporter@example.com").header("Authorization", "Bearer " + tenantAdmin)
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"reason\":\"MANUAL\"}").exchange().expectStatus().isEqualTo(409);
        // an import keeps it as it is and writes the rest
        stack.client.post().uri("/api/v1/suppressions/import").header("Authorization", "Bearer " + tenantAdmin)
                .contentType(MediaType.parseMediaType("text/csv")).bodyValue("email,reason\nspam-reporter@example.com,MANUAL\nfresh@example.com,MANUAL\n")
                .exchange().expectStatus().isAccepted().expectBody().jsonPath("$.imported").isEqualTo(1);
        var written = stack.read(stack.topics.suppressions, r -> r.key().startsWith("acme|"), 2);
        assertThat(written).extracting(r -> r.key()).containsExactlyInAnyOrder("acme|bounced@example.com", "acme|fresh@example.com");
    }
}
