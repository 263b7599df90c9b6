package io.mailer.ingress.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.ingress.IngressTestStack;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.netty.http.client.HttpClient;

/** Guessing keys from one address: 429 after the threshold, no PostgreSQL work per guess, bounded memory. */
class FailedAuthenticationIT {

    static IngressTestStack stack;

    @BeforeAll
    static void start() {
        stack = new IngressTestStack("it-failed-auth.", Map.of());
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    /** A client whose requests come from another loopback address (Linux routes all of 127/8 to lo). */
    private static WebTestClient clientFrom(String address) {
        String port = stack.app.getEnvironment().getProperty("local.server.port");
        HttpClient http = HttpClient.create().bindAddress(() -> new InetSocketAddress(address, 0));
        return WebTestClient.bindToServer(new ReactorClientHttpConnector(http)).baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(60)).build();
    }

    private long rows(String table) {
        return stack.app.getBean(DatabaseClient.class).sql("SELECT count(*) FROM " + table).map(r -> r.get(0, Long.class)).one().block();
    }

    @Test
    void randomKeysFromOneAddressAreRefusedWithoutLookupsAndWithoutGrowingTheCache() {
        String valid = (String) stack.client.post().uri("/api/v1/api-keys").header("Authorization", "Bearer " + IngressTestStack.ADMIN_KEY)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("tenantId", "acme", "scopes", List.of("read")))
                .exchange().expectStatus().isCreated().expectBody(new ParameterizedTypeReference<Map<String, Object>>() { })
                .returnResult().getResponseBody().get("key");
        ApiKeyResolver resolver = stack.app.getBean(ApiKeyResolver.class);
        long keysBefore = rows("api_key");
        long usageBefore = rows("api_key_usage");
        long lookupsBefore = resolver.lookups();
        WebTestClient attacker = clientFrom("127.0.0.3");
        SecureRandom random = new SecureRandom();

        // When one address presents 1,000 random keys
        Map<Integer, Integer> statuses = new HashMap<>();
        for (int i = 0; i < 1000; i++) {
            byte[] b = new byte[32];
            random.nextBytes(b);
            var result = attacker.get().uri("/api/v1/batches/bat_x").header("Authorization", "Bearer mk_live_"
                    + Base64.getUrlEncoder().withoutPadding().encodeToString(b)).exchange().returnResult(String.class);
            statuses.merge(result.getStatus().value(), 1, Integer::sum);
            if (result.getStatus().value() == 429) {
                assertThat(result.getResponseHeaders().getFirst("Retry-After")).isNotNull();
                assertThat(result.getResponseHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
            }
        }

        // Then only the first failures of the minute were looked up (401; a second minute on a slow
        // machine allows as many again); the rest are 429
        assertThat(statuses.keySet()).containsOnly(401, 429);
        assertThat(statuses.get(401)).isBetween(FailedAuthLimiter.MAX_FAILURES, 2 * FailedAuthLimiter.MAX_FAILURES);
        assertThat(resolver.lookups() - lookupsBefore).isEqualTo(statuses.get(401).longValue());
        // no rows written, and the key cache holds only what was looked up
        assertThat(rows("api_key")).isEqualTo(keysBefore);
        assertThat(rows("api_key_usage")).isEqualTo(usageBefore);
        assertThat(resolver.cachedKeys()).isLessThanOrEqualTo(statuses.get(401) + 2L);

        // a valid key from another address still works; from the blocked address, a new key waits
        clientFrom("127.0.0.4").get().uri("/api/v1/batches/bat_00000000000000000000000000").header("Authorization", "Bearer " + valid)
                .exchange().expectStatus().isNotFound();
        // ... but one that authenticated recently is no guess and passes even there
        attacker.get().uri("/api/v1/batches/bat_00000000000000000000000000").header("Authorization", "Bearer " + valid)
                .exchange().expectStatus().isNotFound();
        attacker.get().uri("/api/v1/batches/bat_00000000000000000000000000").header("Authorization", "Bearer " + IngressTestStack.ADMIN_KEY)
                .exchange().expectStatus().isNotFound();
    }
}
