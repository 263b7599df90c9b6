package io.mailer.ingress.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.ingress.IngressTestStack;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;

/**
 * The console is static files served by ingress at {@code /console/} without a key (the key lives
 * in the browser and goes only to the API), under a CSP that allows only the console's own files;
 * {@code GET /api/v1/me} tells it what the key may do. The browser test is ConsoleBrowserIT in the launcher.
 */
class ConsoleIT {

    private static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
    };
    private static IngressTestStack stack;

    @BeforeAll
    static void start() {
        stack = new IngressTestStack("it-console.", Map.of());
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void shouldRedirectToTheConsoleAndServeItWithoutAKeyUnderAStrictCsp() {
        stack.client.get().uri("/console").exchange()
                .expectStatus().isPermanentRedirect()
                .expectHeader().location("/console/");
        String index = stack.client.get().uri("/console/").exchange()
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_HTML)
                .expectHeader().value("Content-Security-Policy", csp -> assertThat(csp).contains("default-src 'self'")
                        .contains("script-src 'self'").doesNotContain("unsafe-inline"))
                .expectHeader().valueEquals("X-Content-Type-Options", "nosniff")
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(index).contains("<script type=\"module\" src=\"app.js\"></script>").contains("<label for=\"api-key\">");
        // no inline script: every <script> names a file
        assertThat(index.split("<script").length - 1).isEqualTo(index.split("<script type=\"module\" src=").length - 1);
        for (String file : List.of("app.js", "api.js", "dom.js", "batches.js", "batch.js", "pipeline.js", "suppressions.js",
                "keys.js", "console.css")) {
            stack.client.get().uri("/console/" + file).exchange().expectStatus().isOk()
                    .expectHeader().exists("Content-Security-Policy");
        }
    }

    @Test
    void shouldTellAKeyItsTenantAndScopes() {
        Map<String, Object> created = stack.client.post().uri("/api/v1/api-keys")
                .header("Authorization", "Bearer " + IngressTestStack.ADMIN_KEY).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "console", "tenantId", "acme", "scopes", List.of("read", "send")))
                .exchange().expectStatus().isCreated().expectBody(MAP).returnResult().getResponseBody();
        Map<String, Object> me = stack.client.get().uri("/api/v1/me").header("Authorization", "Bearer " + created.get("key"))
                .exchange().expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody();
        assertThat(me).containsEntry("tenantId", "acme").containsEntry("scopes", List.of("read", "send"))
                .containsEntry("operator", false).containsEntry("keyId", created.get("id"));

        Map<String, Object> operator = stack.client.get().uri("/api/v1/me").header("Authorization", "Bearer " + IngressTestStack.ADMIN_KEY)
                .exchange().expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody();
        assertThat(operator).containsEntry("tenantId", "default").containsEntry("operator", true);
        stack.client.get().uri("/api/v1/me").exchange().expectStatus().isUnauthorized();
    }
}
