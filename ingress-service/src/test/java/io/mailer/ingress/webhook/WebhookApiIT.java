package io.mailer.ingress.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.ingress.IngressTestStack;
import io.mailer.schemas.webhooks.WebhookCommand;
import io.mailer.schemas.webhooks.WebhookEndpoint;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The webhook management API against a real broker and PostgreSQL, with the operator defaults
 * (https only, no private networks allowlisted). Public targets are IP literals so no DNS is needed.
 */
class WebhookApiIT {

    static final ParameterizedTypeReference<Map<String, Object>> MAP = new ParameterizedTypeReference<>() {
    };
    static final String PUBLIC_URL = "https://93.184.215.14/hooks/mailer";
    static IngressTestStack stack;
    static WebhookTestClient acme;
    static WebhookTestClient acmeSender;
    static WebhookTestClient acmeHooks;
    static WebhookTestClient globex;

    record WebhookTestClient(WebTestClient client, String key) {
        WebTestClient.ResponseSpec call(HttpMethod method, String uri, Object body) {
            var spec = client.method(method).uri(uri).header("Authorization", "Bearer " + key);
            return body == null ? spec.exchange() : spec.contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
        }

        Map<String, Object> ok(HttpMethod method, String uri, Object body, int status) {
            return call(method, uri, body).expectStatus().isEqualTo(status).expectBody(MAP).returnResult().getResponseBody();
        }
    }

    @BeforeAll
    static void start() {
        stack = new IngressTestStack("it-webhooks.", Map.of());
        acme = new WebhookTestClient(stack.client, key("acme", List.of("admin")));
        acmeSender = new WebhookTestClient(stack.client, key("acme", List.of("send", "read")));
        acmeHooks = new WebhookTestClient(stack.client, key("acme", List.of("webhooks")));
        globex = new WebhookTestClient(stack.client, key("globex", List.of("admin")));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    static String key(String tenant, List<String> scopes) {
        return (String) stack.client.post().uri("/api/v1/api-keys").header("Authorization", "Bearer " + IngressTestStack.ADMIN_KEY)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("name", tenant, "tenantId", tenant, "scopes", scopes))
                .exchange().expectStatus().isCreated().expectBody(MAP).returnResult().getResponseBody().get("key");
    }

    static Map<String, Object> create(WebhookTestClient who, String url) {
        return who.ok(HttpMethod.POST, "/api/v1/webhooks", Map.of("url", url, "events", List.of("delivered", "BOUNCED"),
                "description", "CRM sync"), 201);
    }

    @Test
    void shouldCreateAWebhookShowingItsSecretOnceAndWriteItForTheRelay() {
        // When a key with only the webhooks scope creates an endpoint
        Map<String, Object> created = create(acmeHooks, PUBLIC_URL);

        // Then the answer carries the secret (whsec_ + base64 of 32 bytes), normalized event types, batch size 1
        String id = (String) created.get("id");
        String secret = (String) created.get("secret");
        assertThat(id).matches("wh_[A-Za-z0-9]{20}");
        assertThat(secret).startsWith("whsec_");
        assertThat(Base64.getDecoder().decode(secret.substring(6))).hasSize(32);
        assertThat(created).containsEntry("url", PUBLIC_URL).containsEntry("events", List.of("DELIVERED", "BOUNCED"))
                .containsEntry("enabled", true).containsEntry("batchSize", 1).containsEntry("description", "CRM sync");

        // and reads never show it again
        Map<String, Object> read = acme.ok(HttpMethod.GET, "/api/v1/webhooks/" + id, null, 200);
        assertThat(read.get("secret")).isNull();
        assertThat(read).containsEntry("id", id).containsEntry("url", PUBLIC_URL);
        Map<String, Object> list = acme.ok(HttpMethod.GET, "/api/v1/webhooks", null, 200);
        assertThat((List<?>) list.get("items")).extracting(i -> (Object) ((Map<?, ?>) i).get("id")).contains(id);
        assertThat((List<?>) list.get("items")).allSatisfy(i -> assertThat(((Map<?, ?>) i).get("secret")).isNull());

        // and the relay's topic has the endpoint with its secret
        var records = stack.read(stack.topics.webhookEndpoints, r -> r.key().equals(id), 1);
        WebhookEndpoint e = records.get(records.size() - 1).value();
        assertThat(e.tenantId()).isEqualTo("acme");
        assertThat(e.secrets()).singleElement().satisfies(s -> assertThat(s.secret()).isEqualTo(secret));
        assertThat(e.toString()).doesNotContain(secret);
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource({
            "http://93.184.215.14/hook, https-only",
            "ftp://93.184.215.14/hook, https-only",
            "https://127.0.0.1/hook, public-address",
            "https://localhost:8443/hook, public-address",
            "https://[::1]/hook, public-address",
            "https://[::ffff:127.0.0.1]/hook, public-address",
            "https://10.1.2.3/hook, public-address",
            "https://192.168.0.10/hook, public-address",
            "https://172.16.5.4/hook, public-address",
            "https://169.254.169.254/latest/meta-data, public-address",
            "https://100.64.0.1/hook, public-address",
            "https://0.0.0.0/hook, public-address",
            "https://[fd00::1]/hook, public-address",
            "https://user:secret@93.184.215.14/hook, no-credentials",
            "https://93.184.215.14/hook#frag, no-fragment",
            "https://no-such-host.invalid/hook, resolvable-host",
            "not a url, url-syntax"
    })
    void shouldRefuseAHostileUrlWithAProblemNamingTheFieldAndTheRule(String url, String rule) {
        Map<String, Object> problem = acme.call(HttpMethod.POST, "/api/v1/webhooks", Map.of("url", url))
                .expectStatus().isBadRequest()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody(MAP).returnResult().getResponseBody();

        assertThat(problem.get("type")).isEqualTo("https://mailer.dev/problems/validation");
        assertThat((List<?>) problem.get("errors")).singleElement().satisfies(err -> {
            assertThat(((Map<?, ?>) err).get("field")).isEqualTo("url");
            assertThat((String) ((Map<?, ?>) err).get("message")).endsWith("[rule: " + rule + "]");
        });
        assertThat((String) problem.get("detail")).startsWith("Invalid request: url ");
    }

    @Test
    void shouldRefuseAPrivateUrlOnUpdateToo() {
        String id = (String) create(acme, PUBLIC_URL).get("id");

        Map<String, Object> problem = acme.call(HttpMethod.PATCH, "/api/v1/webhooks/" + id, Map.of("url", "https://10.0.0.1/x"))
                .expectStatus().isBadRequest().expectBody(MAP).returnResult().getResponseBody();

        assertThat((String) ((Map<?, ?>) ((List<?>) problem.get("errors")).get(0)).get("message"))
                .contains("10.0.0.1, a private address").endsWith("[rule: public-address]");
        assertThat(acme.ok(HttpMethod.GET, "/api/v1/webhooks/" + id, null, 200)).containsEntry("url", PUBLIC_URL);
    }

    @Test
    void shouldNameEveryBadFieldOfACreate() {
        Map<String, Object> problem = acme.call(HttpMethod.POST, "/api/v1/webhooks",
                        Map.of("url", PUBLIC_URL, "events", List.of("SENT", "EXPLODED"), "batchSize", 500))
                .expectStatus().isBadRequest().expectBody(MAP).returnResult().getResponseBody();

        assertThat((List<?>) problem.get("errors")).extracting(e -> (Object) ((Map<?, ?>) e).get("field")).containsExactly("events", "batchSize");
    }

    @Test
    void shouldRequireTheWebhooksScopeOrAdmin() {
        acmeSender.call(HttpMethod.GET, "/api/v1/webhooks", null).expectStatus().isForbidden()
                .expectBody(MAP).value(p -> assertThat((String) p.get("detail")).contains("'webhooks' scope"));
        acmeSender.call(HttpMethod.POST, "/api/v1/webhooks", Map.of("url", PUBLIC_URL)).expectStatus().isForbidden();
        acmeHooks.call(HttpMethod.GET, "/api/v1/webhooks", null).expectStatus().isOk();
        acme.call(HttpMethod.GET, "/api/v1/webhooks", null).expectStatus().isOk();
        stack.client.get().uri("/api/v1/webhooks").exchange().expectStatus().isUnauthorized();
    }

    @Test
    void shouldHideOneTenantsWebhooksFromAnotherEvenFromItsAdmin() {
        String id = (String) create(acme, PUBLIC_URL).get("id");
        String base = "/api/v1/webhooks/" + id;

        globex.call(HttpMethod.GET, base, null).expectStatus().isNotFound();
        globex.call(HttpMethod.PATCH, base, Map.of("enabled", false)).expectStatus().isNotFound();
        globex.call(HttpMethod.POST, base + "/rotate-secret", null).expectStatus().isNotFound();
        globex.call(HttpMethod.POST, base + "/test", null).expectStatus().isNotFound();
        globex.call(HttpMethod.GET, base + "/deliveries", null).expectStatus().isNotFound();
        globex.call(HttpMethod.POST, base + "/replay", Map.of("since", Instant.now().minusSeconds(60).toString())).expectStatus().isNotFound();
        globex.call(HttpMethod.DELETE, base, null).expectStatus().isNotFound();
        assertThat((List<?>) globex.ok(HttpMethod.GET, "/api/v1/webhooks", null, 200).get("items"))
                .noneMatch(i -> id.equals(((Map<?, ?>) i).get("id")));

        acme.call(HttpMethod.GET, base, null).expectStatus().isOk();
    }

    @Test
    void shouldUpdateDisableAndEnableAWebhook() {
        String id = (String) create(acme, PUBLIC_URL).get("id");
        String base = "/api/v1/webhooks/" + id;

        Map<String, Object> disabled = acme.ok(HttpMethod.PATCH, base, Map.of("enabled", false, "events", List.of("COMPLAINED"),
                "batchSize", 100), 200);
        assertThat(disabled).containsEntry("enabled", false).containsEntry("events", List.of("COMPLAINED"))
                .containsEntry("batchSize", 100).containsEntry("disabledReason", "disabled through the API");

        Map<String, Object> enabled = acme.ok(HttpMethod.PATCH, base, Map.of("enabled", true), 200);
        assertThat(enabled).containsEntry("enabled", true).containsEntry("events", List.of("COMPLAINED"));
        assertThat(enabled.get("disabledReason")).isNull();

        var records = stack.read(stack.topics.webhookEndpoints, r -> r.key().equals(id), 3);
        assertThat(records).extracting(r -> r.value().enabled()).containsExactly(true, false, true);
        assertThat(records).extracting(r -> r.value().revision()).isSorted();
    }

    @Test
    void shouldRotateTheSecretKeepingThePreviousOneFor24Hours() {
        Map<String, Object> created = create(acme, PUBLIC_URL);
        String id = (String) created.get("id");

        Map<String, Object> rotated = acme.ok(HttpMethod.POST, "/api/v1/webhooks/" + id + "/rotate-secret", null, 200);

        assertThat((String) rotated.get("secret")).startsWith("whsec_").isNotEqualTo(created.get("secret"));
        Instant previousEnd = Instant.parse((String) rotated.get("previousSecretExpiresAt"));
        assertThat(Duration.between(Instant.now(), previousEnd)).isBetween(Duration.ofHours(23), Duration.ofHours(24));
        var records = stack.read(stack.topics.webhookEndpoints, r -> r.key().equals(id), 2);
        WebhookEndpoint last = records.get(records.size() - 1).value();
        assertThat(last.signingSecrets(Instant.now())).extracting(s -> s.secret()).containsExactly(
                (String) rotated.get("secret"), (String) created.get("secret"));
        assertThat(last.signingSecrets(Instant.now().plus(Duration.ofHours(25)))).extracting(s -> s.secret())
                .containsExactly((String) rotated.get("secret"));
    }

    @Test
    void shouldQueueATestMessageAndAReplayForTheRelay() {
        String id = (String) create(acme, PUBLIC_URL).get("id");
        String since = Instant.now().minusSeconds(3600).toString();

        Map<String, Object> test = acme.ok(HttpMethod.POST, "/api/v1/webhooks/" + id + "/test", null, 202);
        Map<String, Object> replay = acme.ok(HttpMethod.POST, "/api/v1/webhooks/" + id + "/replay", Map.of("since", since), 202);

        assertThat((String) test.get("id")).startsWith("msg_test_");
        assertThat((String) replay.get("id")).startsWith("rpl_");
        var commands = stack.read(stack.topics.webhookCommands, r -> r.key().equals(id), 2);
        assertThat(commands).extracting(r -> r.value().type()).containsExactly(WebhookCommand.Type.TEST, WebhookCommand.Type.REPLAY);
        assertThat(commands.get(1).value().since()).isEqualTo(Instant.parse(since));
        assertThat(commands).allSatisfy(r -> assertThat(r.value().tenantId()).isEqualTo("acme"));
    }

    @Test
    void shouldRefuseAReplayWithoutAUsableSince() {
        String id = (String) create(acme, PUBLIC_URL).get("id");
        for (Object since : List.of("yesterday", Instant.now().plusSeconds(3600).toString(), Instant.now().minus(Duration.ofDays(31)).toString())) {
            Map<String, Object> problem = acme.call(HttpMethod.POST, "/api/v1/webhooks/" + id + "/replay", Map.of("since", since))
                    .expectStatus().isBadRequest().expectBody(MAP).returnResult().getResponseBody();
            assertThat(((Map<?, ?>) ((List<?>) problem.get("errors")).get(0)).get("field")).isEqualTo("since");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldListDeliveriesNewestFirstWithACursor() {
        String id = (String) create(acme, PUBLIC_URL).get("id");
        stack.sql("INSERT INTO webhook_delivery (message_id, endpoint_id, tenant_id, event_type, status, attempts, last_status_code,"
                + " last_latency_ms, created_at, last_attempt_at) VALUES"
                + " ('msg_1', '" + id + "', 'acme', 'email.sent', 'DELIVERED', 1, 200, 12, now() - interval '3 minutes', now()),"
                + " ('msg_2', '" + id + "', 'acme', 'email.delivered', 'RETRYING', 3, 503, 40, now() - interval '2 minutes', now()),"
                + " ('msg_3', '" + id + "', 'acme', 'email.bounced', 'DELIVERED', 1, 204, 8, now() - interval '1 minutes', now())");

        Map<String, Object> first = acme.ok(HttpMethod.GET, "/api/v1/webhooks/" + id + "/deliveries?limit=2", null, 200);
        Map<String, Object> second = acme.ok(HttpMethod.GET, "/api/v1/webhooks/" + id + "/deliveries?limit=2&cursor="
                + first.get("nextCursor"), null, 200);

        assertThat((List<?>) first.get("items")).extracting(i -> (Object) ((Map<?, ?>) i).get("messageId")).containsExactly("msg_3", "msg_2");
        assertThat((Map<String, Object>) ((List<?>) first.get("items")).get(1)).containsEntry("status", "RETRYING").containsEntry("attempts", 3)
                .containsEntry("lastStatusCode", 503).containsEntry("lastLatencyMs", 40);
        assertThat((List<?>) second.get("items")).extracting(i -> (Object) ((Map<?, ?>) i).get("messageId")).containsExactly("msg_1");
        assertThat(second.get("nextCursor")).isNull();
        acme.call(HttpMethod.GET, "/api/v1/webhooks/" + id + "/deliveries?cursor=bogus!", null).expectStatus().isBadRequest();
    }

    @Test
    void shouldDeleteAWebhookWithATombstoneForTheRelay() {
        String id = (String) create(acme, PUBLIC_URL).get("id");

        acme.call(HttpMethod.DELETE, "/api/v1/webhooks/" + id, null).expectStatus().isNoContent();

        acme.call(HttpMethod.GET, "/api/v1/webhooks/" + id, null).expectStatus().isNotFound();
        var records = stack.read(stack.topics.webhookEndpoints, r -> r.key().equals(id), 2);
        assertThat(records.get(records.size() - 1).value()).isNull();
    }
}
