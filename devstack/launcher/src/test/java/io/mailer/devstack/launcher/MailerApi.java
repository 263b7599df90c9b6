package io.mailer.devstack.launcher;

import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** The REST calls end-to-end tests make as a client would — keys, batches, reads — each answer's status checked. */
final class MailerApi {

    private final WebTestClient client;
    private final String operatorKey;

    MailerApi(WebTestClient client, String operatorKey) {
        this.client = client;
        this.operatorKey = operatorKey;
    }

    /** A key of {@code tenant} with these scopes, created by the operator. */
    String createKey(String tenant, List<String> scopes) {
        Map<?, ?> created = client.post().uri("/api/v1/api-keys").header("Authorization", "Bearer " + operatorKey)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", tenant + "-" + scopes, "scopes", scopes, "tenantId", tenant))
                .exchange().expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();
        return (String) created.get("key");
    }

    /** A JSON batch; the answer must have {@code expectedStatus}. */
    Map<?, ?> submit(String key, String body, int expectedStatus) {
        return client.post().uri("/api/v1/batches").header("Authorization", "Bearer " + key)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                .exchange().expectStatus().isEqualTo(expectedStatus)
                .expectBody(Map.class).returnResult().getResponseBody();
    }

    /** A read that must answer 200. */
    Map<?, ?> get(String key, String path) {
        return client.get().uri(path).header("Authorization", "Bearer " + key)
                .exchange().expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody();
    }
}
