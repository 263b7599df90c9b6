package io.mailer.devstack.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailer.devstack.DevStack;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Webhooks through the whole local run: a webhook created over REST, pointed at the launcher's local
 * inbox (http + loopback allowed as in the local run), receives the outcome events of a batch —
 * SENT from the dispatcher, DELIVERED/BOUNCED/COMPLAINED from the SES sandbox's notifications — each
 * signed with the secret the create answer showed.
 */
class WebhookE2EIT {

    static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
    };
    static final JsonMapper JSON = JsonMapper.builder().build();

    static DevStack stack;
    static MailerServices services;
    static WebhookInbox inbox;
    static WebTestClient api;
    static String adminKey;

    @BeforeAll
    static void startEverything() throws Exception {
        stack = DevStack.start(DevStack.Options.defaults());
        adminKey = stack.env().get("MAILER_BOOTSTRAP_ADMIN_KEY");
        inbox = new WebhookInbox(0);
        services = MailerServices.start(LocalMailer.localEnv(stack.env()), MailerServices.Ports.RANDOM);
        api = WebTestClient.bindToServer().baseUrl("http://localhost:" + services.ingressPort())
                .responseTimeout(Duration.ofSeconds(30)).build();
    }

    @AfterAll
    static void stopEverything() {
        if (services != null) {
            services.close();
        }
        if (inbox != null) {
            inbox.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void shouldPostEveryOutcomeOfABatchToTheTenantsWebhookSigned() throws Exception {
        // Given a webhook for the outcome events, at the local inbox
        Map<String, Object> webhook = api.post().uri("/api/v1/webhooks").header("Authorization", "Bearer " + adminKey)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("url", inbox.url() + "/e2e", "events", List.of("SENT", "DELIVERED", "BOUNCED", "COMPLAINED")))
                .exchange().expectStatus().isCreated().expectBody(MAP).returnResult().getResponseBody();
        String secret = (String) webhook.get("secret");
        Thread.sleep(1000); // the relay learns the endpoint from its topic

        // When a batch goes to the simulator's success, bounce and complaint addresses
        api.post().uri("/api/v1/batches").header("Authorization", "Bearer " + adminKey).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("from", "dev@mailer.local", "subject", "Hi", "text", "Hi",
                        "recipients", List.of(Map.of("email", "success@simulator.amazonses.com"),
                                Map.of("email", "bounce@simulator.amazonses.com"),
                                Map.of("email", "complaint@simulator.amazonses.com"))))
                .exchange().expectStatus().isAccepted();

        // Then the inbox receives SENT x3, DELIVERED x2 (the complaint address is delivered first), BOUNCED, COMPLAINED
        await().atMost(Duration.ofSeconds(60)).until(() -> types().size() >= 7);
        assertThat(types()).containsExactlyInAnyOrder("email.sent", "email.sent", "email.sent", "email.delivered",
                "email.delivered", "email.bounced", "email.complained");
        byte[] key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
        for (Map<String, Object> r : received()) {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            String signed = r.get("webhook-id") + "." + r.get("webhook-timestamp") + "." + r.get("body");
            String expected = "v1," + Base64.getEncoder().encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
            assertThat(((String) r.get("webhook-signature")).split(" ")).contains(expected);
        }
        Set<String> ids = received().stream().map(r -> (String) r.get("webhook-id")).collect(Collectors.toSet());
        assertThat(ids).hasSize(7);
    }

    static List<Map<String, Object>> received() {
        return api.get().uri(inbox.url()).exchange().expectStatus().isOk()
                .expectBody(new ParameterizedTypeReference<List<Map<String, Object>>>() {
                }).returnResult().getResponseBody();
    }

    static List<String> types() {
        return received().stream().map(r -> {
            JsonNode body = JSON.readTree((String) r.get("body"));
            return body.get("type").asText();
        }).toList();
    }
}
