package io.mailer.devstack.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailer.devstack.DevStack;
import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.events.Ids;
import io.mailer.schemas.events.SendRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * One tenant ("evil") does what a careless or hostile tenant can; after each case another tenant
 * ("good") submits an ordinary batch that must be sent in full, and all four services must be
 * live and ready. Every hostile input is either refused with a precise 4xx or failed alone, as that
 * tenant's recipients.
 */
class HostileTenantE2EIT {

    private static DevStack stack;
    private static MailerServices services;
    private static WebTestClient api;
    private static MailerApi mailer;
    private static String operatorKey;
    private static String evilKey;
    private static String evilAdminKey;
    private static String goodKey;

    @BeforeAll
    static void startEverything() {
        stack = DevStack.start(DevStack.Options.defaults());
        operatorKey = stack.env().get("MAILER_BOOTSTRAP_ADMIN_KEY");
        services = MailerServices.start(stack.env(), MailerServices.Ports.RANDOM);
        api = WebTestClient.bindToServer().baseUrl("http://localhost:" + services.ingressPort())
                .responseTimeout(Duration.ofSeconds(60)).build();
        mailer = new MailerApi(api, operatorKey);
        evilKey = mailer.createKey("evil", List.of("send", "read"));
        evilAdminKey = mailer.createKey("evil", List.of("admin"));
        goodKey = mailer.createKey("good", List.of("send", "read"));
        // the tenants are active users: their keys have authenticated before anyone floods the API
        // (a key first seen from an address already blocked for failed keys waits out the minute)
        for (String key : List.of(evilKey, goodKey)) {
            api.get().uri("/api/v1/batches/bat_none").header("Authorization", "Bearer " + key).exchange()
                    .expectStatus().isNotFound();
        }
        api.get().uri("/api/v1/admin/tenants/evil").header("Authorization", "Bearer " + evilAdminKey).exchange()
                .expectStatus().isOk();
        // as an orchestrator would: the cases start once every service says it is ready (the
        // topology's Streams clients reach RUNNING a few seconds after its context is up); after
        // each case readiness must then still hold
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            for (ConfigurableApplicationContext service : services.contexts()) {
                int port = MailerServices.port(service);
                assertThat(status(port, "/api/v1/ready")).as("readiness of port " + port).isEqualTo(200);
            }
        });
    }

    @AfterAll
    static void stopEverything() {
        if (services != null) {
            services.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    /** The principle under test: after every case, another tenant's batch goes out in full. */
    @AfterEach
    void othersAreUnharmed() throws Exception {
        String id = (String) mailer.submit(goodKey, """
                {"from":"Good <good@example.com>","subject":"Hi {{name}}","html":"<p>Hi {{name}}</p>",
                 "recipients":[{"email":"success+1@simulator.amazonses.com","variables":{"name":"A"}},
                               {"email":"success+2@simulator.amazonses.com","variables":{"name":"B"}},
                               {"email":"good3@example.com","variables":{"name":"C"}}]}""", 202).get("id");
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            Map<?, ?> batch = mailer.get(goodKey, "/api/v1/batches/" + id);
            assertThat(batch.get("status")).isEqualTo("COMPLETED");
            assertThat(((Map<?, ?>) batch.get("counts")).get("sent")).isEqualTo(3);
        });
        for (ConfigurableApplicationContext service : services.contexts()) {
            int port = MailerServices.port(service);
            assertThat(status(port, "/api/v1/health")).as("liveness of port " + port).isEqualTo(200);
            assertThat(status(port, "/api/v1/ready")).as("readiness of port " + port).isEqualTo(200);
        }
    }

    @Test
    void shouldRefuseAPartialNamingTheField() {
        Map<?, ?> problem = mailer.submit(evilKey, """
                {"from":"e@evil.example","subject":"x","html":"<p>{{> header}}</p>",
                 "recipients":[{"email":"a@example.com"}]}""", 400);
        assertThat(problem.toString()).contains("html").contains("partial");
    }

    @Test
    void shouldRefuseSectionsNestedBeyondTheBound() {
        String html = "{{#a}}".repeat(17) + "x" + "{{/a}}".repeat(17);
        Map<?, ?> problem = mailer.submit(evilKey, """
                {"from":"e@evil.example","subject":"x","html":"%s","recipients":[{"email":"a@example.com"}]}"""
                .formatted(html), 400);
        assertThat(problem.toString()).contains("html").contains("16");
    }

    @Test
    void shouldFailAnOutputMultiplyingTemplateAsThatTenantsRecipientAlone() {
        String list = IntStream.range(0, 300).mapToObj(Integer::toString).collect(Collectors.joining(",", "[", "]"));
        String id = (String) mailer.submit(evilKey, """
                {"from":"e@evil.example","subject":"x",
                 "html":"{{#l}}{{#l}}{{#l}}0123456789012345678901234567890123456789{{/l}}{{/l}}{{/l}}",
                 "recipients":[{"email":"victim@example.com","variables":{"l":%s}}]}""".formatted(list), 202).get("id");
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            Map<?, ?> batch = mailer.get(evilKey, "/api/v1/batches/" + id);
            assertThat(batch.get("status")).isEqualTo("COMPLETED");
            assertThat(((Map<?, ?>) batch.get("counts")).get("failed")).isEqualTo(1);
        });
        assertThat(stack.ses().sentTo("victim@example.com")).isEmpty();
    }

    @Test
    void shouldRefuseAMessageOverTheBudgetWith413() throws Exception {
        String html = "x".repeat(1_200_000);
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + services.ingressPort() + "/api/v1/batches"))
                .header("Authorization", "Bearer " + evilKey).header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString("{\"from\":\"e@evil.example\",\"subject\":\"x\",\"html\":\""
                        + html + "\"}\n{\"email\":\"a@example.com\"}\n")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(413);
        assertThat(answer.body()).contains("524288");
    }

    @Test
    void shouldRefuseAHeaderValueWithALineBreak() {
        Map<?, ?> problem = mailer.submit(evilKey, """
                {"from":"e@evil.example","subject":"x","text":"t","headers":{"X-Note":"a\\r\\nBcc: all@example.com"},
                 "recipients":[{"email":"a@example.com"}]}""", 400);
        assertThat(problem.toString()).contains("headers");
    }

    @Test
    void shouldFailAHostileRecordWrittenStraightOntoSendsAlone() throws Exception {
        // a record from before the submit checks, or from another producer: a partial the renderer cannot load
        MessageContent message = new MessageContent("e@evil.example", null, "x", "{{> partial}}", null, Map.of(),
                Map.of(), null, false);
        String batch = "bat_direct_" + UUID.randomUUID().toString().replace("-", "");
        SendRequest send = new SendRequest(Ids.sendId(batch, 0), batch, "evil", 0, "direct@example.com", Map.of(),
                Map.of(), message, Instant.now());
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers());
        try (var producer = new KafkaProducer<>(props, new StringSerializer(), stack.topics().sends.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(stack.topics().sends.name(), send.sendId(), send)).get();
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(failedReason(send.sendId()))
                .startsWith("rendering:html:"));
        assertThat(stack.ses().sentTo("direct@example.com")).isEmpty();
    }

    @Test
    void shouldKeepATenantAdminOutOfOtherTenantsAndOperatorViews() {
        api.get().uri("/api/v1/admin/pipeline").header("Authorization", "Bearer " + evilAdminKey)
                .exchange().expectStatus().isForbidden();
        api.get().uri("/api/v1/admin/dead-letters?batchId=bat_someone_else&tenant=*")
                .header("Authorization", "Bearer " + evilAdminKey).exchange().expectStatus().isForbidden();
        api.get().uri("/api/v1/admin/tenants/good").header("Authorization", "Bearer " + evilAdminKey)
                .exchange().expectStatus().isNotFound();
    }

    @Test
    void shouldRefuseASenderOutsideTheTenantsPolicy() {
        api.put().uri("/api/v1/admin/tenants/evil/policy").header("Authorization", "Bearer " + operatorKey)
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"allowedSenders\":[\"evil.example\"]}")
                .exchange().expectStatus().isOk();
        Map<?, ?> problem = mailer.submit(evilKey, """
                {"from":"Bank <security@good-bank.example>","subject":"x","text":"t",
                 "recipients":[{"email":"a@example.com"}]}""", 403);
        assertThat(problem.toString()).contains("from");
    }

    @Test
    void shouldRateLimitRandomKeysPerAddressWithoutLockingOthersOut() {
        int limited = 0;
        for (int i = 0; i < 40; i++) {
            int code = api.get().uri("/api/v1/batches/x").header("Authorization", "Bearer mk_live_" + UUID.randomUUID())
                    .exchange().returnResult(String.class).getStatus().value();
            limited += code == 429 ? 1 : 0;
        }
        assertThat(limited).isGreaterThanOrEqualTo(20);
    }

    // --- helpers ---

    private static int status(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static String failedReason(String sendId) throws Exception {
        try (var c = stack.postgres().connect();
                var st = c.prepareStatement("SELECT reason FROM event WHERE send_id = ? AND type = 'FAILED'")) {
            st.setString(1, sendId);
            try (var rs = st.executeQuery()) {
                return rs.next() ? rs.getString(1) : "";
            }
        }
    }
}
