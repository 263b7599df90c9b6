package io.mailer.ingress.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.devstack.SesSandbox;
import io.mailer.ingress.IngressTestStack;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;

/** {@code GET /admin/ses-account}: SES GetAccount (the sandbox's) for operator admins: the limit and the pause. */
class SesAccountIT {

    private static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
    };
    private static SesSandbox ses;
    private static IngressTestStack stack;

    @BeforeAll
    static void start() {
        ses = SesSandbox.start().maxSendRate(42);
        System.setProperty("aws.accessKeyId", "test");
        System.setProperty("aws.secretAccessKey", "test");
        stack = new IngressTestStack("it-ses.", Map.of("AWS_REGION", "us-east-1", "SES_ENDPOINT", ses.endpoint(),
                "SES_MAX_SEND_RATE", "20"));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
        if (ses != null) {
            ses.close();
        }
    }

    @Test
    void shouldShowTheLimitAndWhetherTheAccountIsPaused() {
        assertThat(account()).containsEntry("configured", true).containsEntry("maxSendRate", 42.0)
                .containsEntry("configuredMaxSendRate", 20.0).containsEntry("sendingEnabled", true).containsEntry("paused", false)
                .containsEntry("enforcementStatus", "HEALTHY");
        ses.sendingPaused(true);
        try {
            assertThat(account()).containsEntry("sendingEnabled", false).containsEntry("paused", true);
        } finally {
            ses.sendingPaused(false);
        }
    }

    @Test
    void shouldBeForOperatorAdminsOnly() {
        Map<String, Object> created = stack.client.post().uri("/api/v1/api-keys")
                .header("Authorization", "Bearer " + IngressTestStack.ADMIN_KEY).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "acme-admin", "tenantId", "acme", "scopes", List.of("admin")))
                .exchange().expectStatus().isCreated().expectBody(MAP).returnResult().getResponseBody();
        stack.client.get().uri("/api/v1/admin/ses-account").header("Authorization", "Bearer " + created.get("key"))
                .exchange().expectStatus().isForbidden();
    }

    private static Map<String, Object> account() {
        return stack.client.get().uri("/api/v1/admin/ses-account").header("Authorization", "Bearer " + IngressTestStack.ADMIN_KEY)
                .exchange().expectStatus().isOk().expectBody(MAP).returnResult().getResponseBody();
    }
}
