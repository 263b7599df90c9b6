package io.mailer.devstack.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailer.devstack.DevStack;
import io.mailer.schemas.events.Ids;
import io.mailer.schemas.events.Suppression;
import io.mailer.schemas.kafka.Topics;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The whole pipeline on the embedded stack, exactly as the local launcher runs it: REST →
 * batch-commands → topology → sends → dispatcher → SES sandbox → SNS/SQS → feedback →
 * delivery-events/suppressions → projector → PostgreSQL → REST.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WalkingSkeletonE2EIT {

    static final String TENANT = "default";
    static final int TOTAL = 1000;
    static final int PRE_SUPPRESSED = 10;
    static final int BOUNCES = 20;
    static final int COMPLAINTS = 20;

    static DevStack stack;
    static MailerServices services;
    static WebTestClient api;
    static String adminKey;

    @BeforeAll
    static void startEverything() throws Exception {
        stack = DevStack.start(DevStack.Options.defaults());
        adminKey = stack.env().get("MAILER_BOOTSTRAP_ADMIN_KEY");
        preSuppress(stack.topics(), stack.kafka().bootstrapServers());
        // the batch mixes 2 % bounce and 2 % complaint simulator addresses to check exact counts; the
        // reputation guard would (rightly) throttle such a tenant mid-batch — it has its own tests
        var env = new java.util.HashMap<>(stack.env());
        env.put("REPUTATION_MIN_SENDS", "1000000");
        services = MailerServices.start(env, MailerServices.Ports.RANDOM);
        api = WebTestClient.bindToServer().baseUrl("http://localhost:" + services.ingressPort())
                .responseTimeout(Duration.ofSeconds(30)).build();
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

    /** Suppressions already on the topic before the services start, as after an earlier bounce. */
    private static void preSuppress(Topics topics, String bootstrap) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (var producer = new KafkaProducer<>(props, new StringSerializer(), topics.suppressions.valueSerde().serializer())) {
            for (int i = 0; i < PRE_SUPPRESSED; i++) {
                var s = new Suppression(TENANT, "Suppressed" + i + "@Example.com", Suppression.Reason.MANUAL, null, Instant.now());
                producer.send(new ProducerRecord<>(topics.suppressions.name(), s.key(), s)).get();
            }
        }
    }

    /** Recipient i: the first ten are pre-suppressed, then bounces, then complaints, then ordinary mail. */
    static String address(int i) {
        if (i < PRE_SUPPRESSED) {
            return "suppressed" + i + "@example.com";
        }
        if (i < PRE_SUPPRESSED + BOUNCES) {
            return "bounce+" + i + "@simulator.amazonses.com";
        }
        if (i < PRE_SUPPRESSED + BOUNCES + COMPLAINTS) {
            return "complaint+" + i + "@simulator.amazonses.com";
        }
        return i % 2 == 0 ? "success+" + i + "@simulator.amazonses.com" : "user" + i + "@example.com";
    }

    static String expectedStatus(int i) {
        if (i < PRE_SUPPRESSED) {
            return "SUPPRESSED";
        }
        if (i < PRE_SUPPRESSED + BOUNCES) {
            return "BOUNCED";
        }
        if (i < PRE_SUPPRESSED + BOUNCES + COMPLAINTS) {
            return "COMPLAINED";
        }
        return "DELIVERED";
    }

    static String batchId;

    @Test
    @Order(1)
    void shouldCarryA1000RecipientBatchToExactFinalCounts() throws Exception {
        StringBuilder recipients = new StringBuilder();
        for (int i = 0; i < TOTAL; i++) {
            recipients.append(i == 0 ? "" : ",").append("{\"email\":\"").append(address(i))
                    .append("\",\"variables\":{\"name\":\"R").append(i).append("\"}}");
        }
        String body = """
                {"from":"News <news@example.com>","subject":"Hello {{name}}","html":"<p>Hi {{name}}</p>",
                 "text":"Hi {{name}}","recipients":[%s]}""".formatted(recipients);

        Map<?, ?> accepted = post(body);
        batchId = (String) accepted.get("id");
        assertThat(accepted.get("recipients")).isEqualTo(TOTAL);

        Map<String, Object> expectedCounts = Map.of("total", TOTAL, "queued", 0, "suppressed", PRE_SUPPRESSED,
                "sent", TOTAL - PRE_SUPPRESSED, "delivered", TOTAL - PRE_SUPPRESSED - BOUNCES, "bounced", BOUNCES,
                "complained", COMPLAINTS, "failed", 0, "cancelled", 0);
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(counts(batchId)).isEqualTo(expectedCounts));
        assertThat(batch(batchId).get("status")).isEqualTo("COMPLETED");

        // exact recipient rows: every address with its final status
        Map<String, String> expectedRows = new HashMap<>();
        for (int i = 0; i < TOTAL; i++) {
            expectedRows.put(Ids.sendId(batchId, i) + " " + address(i), expectedStatus(i));
        }
        assertThat(recipientRows(batchId)).isEqualTo(expectedRows);

        // exact event rows: one per (send, type) — SENT for each non-suppressed, then SES outcomes
        Set<String> expectedEvents = new HashSet<>();
        for (int i = 0; i < TOTAL; i++) {
            String sendId = Ids.sendId(batchId, i);
            switch (expectedStatus(i)) {
                case "SUPPRESSED" -> expectedEvents.add(sendId + " SUPPRESSED");
                case "BOUNCED" -> expectedEvents.addAll(List.of(sendId + " SENT", sendId + " BOUNCED"));
                case "COMPLAINED" -> expectedEvents.addAll(List.of(sendId + " SENT", sendId + " DELIVERED", sendId + " COMPLAINED"));
                default -> expectedEvents.addAll(List.of(sendId + " SENT", sendId + " DELIVERED"));
            }
        }
        assertThat(eventRows(batchId)).containsExactlyInAnyOrderElementsOf(expectedEvents);

        // the sandbox saw each non-suppressed recipient exactly once, rendered
        var sent = stack.ses().sent().stream().filter(m -> m.tags().containsValue(batchId)).toList();
        assertThat(sent).hasSize(TOTAL - PRE_SUPPRESSED);
        assertThat(sent).extracting(m -> m.to().get(0)).doesNotHaveDuplicates();
        assertThat(sent).anySatisfy(m -> assertThat(m.subject()).isEqualTo("Hello R500"));
    }

    @Test
    @Order(2)
    void shouldSuppressAddressesThatBouncedOrComplainedInTheNextBatch() {
        String bounced = address(PRE_SUPPRESSED);
        String complained = address(PRE_SUPPRESSED + BOUNCES);
        // the feedback service wrote their suppressions; wait until the view shows them
        await().atMost(Duration.ofSeconds(60)).until(() -> suppressionCount(bounced, complained) == 2);

        Map<?, ?> accepted = post("""
                {"from":"News <news@example.com>","subject":"Again","text":"Hello again",
                 "recipients":[{"email":"%s"},{"email":"%s"}]}""".formatted(bounced, complained));
        String second = (String) accepted.get("id");

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(counts(second)).isEqualTo(Map.of("total", 2, "queued", 0,
                        "suppressed", 2, "sent", 0, "delivered", 0, "bounced", 0, "complained", 0, "failed", 0, "cancelled", 0)));
    }

    private Map<?, ?> post(String body) {
        return api.post().uri("/api/v1/batches").header("Authorization", "Bearer " + adminKey)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                .exchange().expectStatus().isAccepted()
                .expectBody(Map.class).returnResult().getResponseBody();
    }

    private static Map<?, ?> batch(String id) {
        return api.get().uri("/api/v1/batches/" + id).header("Authorization", "Bearer " + adminKey)
                .exchange().expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody();
    }

    private static Map<?, ?> counts(String id) {
        return (Map<?, ?>) batch(id).get("counts");
    }

    private static Map<String, String> recipientRows(String id) throws SQLException {
        Map<String, String> rows = new HashMap<>();
        try (Connection c = stack.postgres().connect();
                var st = c.prepareStatement("SELECT send_id, email, status FROM recipient WHERE batch_id = ?")) {
            st.setString(1, id);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    rows.put(rs.getString(1) + " " + rs.getString(2), rs.getString(3));
                }
            }
        }
        return rows;
    }

    private static List<String> eventRows(String id) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = stack.postgres().connect();
                var st = c.prepareStatement("SELECT send_id, type FROM event WHERE batch_id = ?")) {
            st.setString(1, id);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    rows.add(rs.getString(1) + " " + rs.getString(2));
                }
            }
        }
        return rows;
    }

    private static int suppressionCount(String... emails) throws SQLException {
        try (Connection c = stack.postgres().connect();
                var st = c.prepareStatement("SELECT count(*) FROM suppression WHERE tenant_id = ? AND email = ANY(?)")) {
            st.setString(1, TENANT);
            st.setArray(2, c.createArrayOf("text", emails));
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
