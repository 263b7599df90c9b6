package io.mailer.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
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

    /**
     * Two transactions of 3 and 2 records: offsets 0-2, marker 3, 4-5, marker 6, end 7. A group that
     * read everything commits 6 (after its last record) — lag 0, not the marker's 1; a group at 1 has
     * the records 1, 2, 4 and 5 left — 4, not 6.
     */
    @Test
    @SuppressWarnings("unchecked")
    void pipelineLagCountsRecordsNotTransactionMarkers() throws Exception {
        String topic = "it-operator.lag-probe";
        TopicPartition p0 = new TopicPartition(topic, 0);
        try (Admin admin = stack.kafka.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
            Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka.bootstrapServers());
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "lag-probe-tx");
            try (var producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
                producer.initTransactions();
                for (int size : new int[] {3, 2}) {
                    producer.beginTransaction();
                    for (int i = 0; i < size; i++) {
                        producer.send(new ProducerRecord<>(topic, 0, "k", "v")).get();
                    }
                    producer.commitTransaction();
                }
            }
            admin.alterConsumerGroupOffsets("lag-drained", Map.of(p0, new OffsetAndMetadata(6))).all().get();
            admin.alterConsumerGroupOffsets("lag-behind", Map.of(p0, new OffsetAndMetadata(1))).all().get();
        }
        Map<String, Object> pipeline = call(HttpMethod.GET, "/api/v1/admin/pipeline", OPERATOR).expectStatus().isOk()
                .expectBody(MAP).returnResult().getResponseBody();
        Map<String, Object> lagByGroup = new java.util.HashMap<>();
        for (Map<String, Object> g : (List<Map<String, Object>>) pipeline.get("consumerGroups")) {
            lagByGroup.put((String) g.get("groupId"), ((Map<String, Object>) g.get("lagByTopic")).get(topic));
        }
        assertThat(lagByGroup).containsEntry("lag-drained", 0).containsEntry("lag-behind", 4);
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
