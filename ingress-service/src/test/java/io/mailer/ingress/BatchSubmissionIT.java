package io.mailer.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.schemas.commands.BatchCommand;
import io.mailer.schemas.commands.RecipientEntry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

/** NDJSON streaming and Idempotency-Key against a real broker and PostgreSQL. */
class BatchSubmissionIT {

    static final org.springframework.core.ParameterizedTypeReference<Map<String, Object>> MAP =
            new org.springframework.core.ParameterizedTypeReference<>() {
            };
    static final MediaType NDJSON = MediaType.parseMediaType("application/x-ndjson");
    static IngressTestStack stack;
    static WebTestClient client;

    @BeforeAll
    static void startStack() {
        stack = new IngressTestStack("it-submit.", Map.of("INGRESS_CHUNK_SIZE", "2", "INGRESS_MAX_NDJSON_RECIPIENTS", "6"));
        client = stack.client;
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    static final String MESSAGE_LINE = "{\"from\":\"news@example.com\",\"subject\":\"Hi {{name}}\",\"text\":\"Hello {{name}}\"}";

    static String ndjson(String... recipientLines) {
        return MESSAGE_LINE + "\n" + String.join("\n", recipientLines) + "\n";
    }

    static String recipient(String email) {
        return "{\"email\":\"" + email + "\",\"variables\":{\"name\":\"" + email.substring(0, email.indexOf('@')) + "\"}}";
    }

    private WebTestClient.ResponseSpec postNdjson(String body, String idempotencyKey) {
        var spec = client.post().uri("/api/v1/batches").header("Authorization", "Bearer " + IngressTestStack.ADMIN_KEY)
                .contentType(NDJSON);
        if (idempotencyKey != null) {
            spec = spec.header("Idempotency-Key", idempotencyKey);
        }
        return spec.bodyValue(body).exchange();
    }

    private List<BatchCommand.SubmitChunk> commandsOf(String batchId, int expected) {
        List<BatchCommand.SubmitChunk> found = new ArrayList<>(stack.read(stack.topics.batchCommands, r -> r.key().equals(batchId), expected)
                .stream().map(r -> r.value()).map(BatchCommand.SubmitChunk.class::cast).toList());
        found.sort(Comparator.comparingInt(BatchCommand.SubmitChunk::chunkIndex));
        return found;
    }

    @Test
    void shouldStreamAnNdjsonBatchIntoChunksWhoseLastCarriesTheExactTotals() {
        // Given five recipients and chunks of two
        String body = ndjson(recipient("a@example.com"), recipient("b@example.com"), "", recipient("c@example.com"),
                recipient("d@example.com"), recipient("e@exämple.com"));

        // When
        Map<String, Object> answer = postNdjson(body, null).expectStatus().isAccepted()
                .expectHeader().valueMatches("Location", "/api/v1/batches/bat_[0-9a-z]{26}")
                .expectBody(MAP).returnResult().getResponseBody();

        // Then three chunks in order; early chunks cannot know the size yet, the last one does
        assertThat(answer).containsEntry("status", "ACCEPTED").containsEntry("recipients", 5);
        List<BatchCommand.SubmitChunk> chunks = commandsOf((String) answer.get("id"), 3);
        assertThat(chunks).extracting(BatchCommand.SubmitChunk::chunkIndex).containsExactly(0, 1, 2);
        assertThat(chunks).extracting(BatchCommand.SubmitChunk::chunkCount).containsExactly(null, null, 3);
        assertThat(chunks).extracting(BatchCommand.SubmitChunk::totalRecipients).containsExactly(6, 6, 5);
        assertThat(chunks).extracting(BatchCommand.SubmitChunk::firstRecipientIndex).containsExactly(0, 2, 4);
        assertThat(chunks.stream().flatMap(c -> c.recipients().stream()).map(RecipientEntry::email))
                .containsExactly("a@example.com", "b@example.com", "c@example.com", "d@example.com", "e@xn--exmple-cua.com"); // IDN domains go to Kafka in Punycode (SES has no SMTPUTF8)
        assertThat(chunks.get(0).message().subject()).isEqualTo("Hi {{name}}");
        assertThat(chunks.get(0).recipients().get(0).variables()).isEqualTo(Map.of("name", "a"));
    }

    @Test
    void shouldRejectTheWholeBatchNamingTheMalformedLineAndLeaveNothingVisible() {
        // Given a marker address in chunks that are sent before the bad line is reached
        String marker = "marker-" + UUID.randomUUID() + "@example.com";
        String body = ndjson(recipient(marker), recipient("b@example.com"), recipient("c@example.com"), "{\"email\": oops}");

        // When
        Map<String, Object> problem = postNdjson(body, null).expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody(MAP).returnResult().getResponseBody();

        // Then line 5 (the message is line 1) is named, and read_committed consumers see nothing
        assertThat((String) problem.get("detail")).contains("line 5");
        assertThat((List<Map<String, String>>) problem.get("errors")).extracting(e -> e.get("field")).containsExactly("line 5");
        assertThat(stack.read(stack.topics.batchCommands,
                r -> r.value() instanceof BatchCommand.SubmitChunk c && c.recipients().stream().anyMatch(x -> x.email().equals(marker)), 0)).isEmpty();
    }

    @Test
    void shouldNameTheLineOfAnInvalidAddressAndOfAnInvalidMessage() {
        Map<String, Object> badAddress = postNdjson(ndjson(recipient("a@example.com"), "{\"email\":\"not-an-address\"}"), null)
                .expectStatus().isBadRequest().expectBody(MAP).returnResult().getResponseBody();
        Map<String, Object> badMessage = postNdjson("{\"from\":\"news@example.com\",\"text\":\"x\"}\n" + recipient("a@example.com"), null)
                .expectStatus().isBadRequest().expectBody(MAP).returnResult().getResponseBody();
        Map<String, Object> empty = postNdjson(MESSAGE_LINE + "\n", null)
                .expectStatus().isBadRequest().expectBody(MAP).returnResult().getResponseBody();

        assertThat((String) badAddress.get("detail")).contains("line 3").contains("email is not a valid email address");
        assertThat((List<Map<String, String>>) badMessage.get("errors")).extracting(e -> e.get("field")).containsExactly("subject");
        assertThat((String) empty.get("detail")).contains("line 2").contains("no recipients");
    }

    @Test
    void shouldAnswer413WhenAnNdjsonBatchExceedsTheRecipientLimit() {
        String[] seven = IntStream.range(0, 7).mapToObj(i -> recipient("r" + i + "@example.com")).toArray(String[]::new);

        postNdjson(ndjson(seven), null).expectStatus().isEqualTo(413)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.detail").value(d -> assertThat((String) d).contains("more than 6 recipients"));
    }

    @Test
    void shouldReplayTheFirstAnswerForTheSameKeyAndBodyAndRefuseAnotherBody() {
        String key = "idem-" + UUID.randomUUID();
        String json = "{\"from\":\"news@example.com\",\"subject\":\"s\",\"text\":\"t\",\"recipients\":[{\"email\":\"a@example.com\"}]}";
        String other = json.replace("a@example.com", "b@example.com");

        Map<String, Object> first = postJson(json, key).expectStatus().isAccepted().expectBody(MAP).returnResult().getResponseBody();
        EntityExchangeResult<Map> second = postJson(json, key).expectStatus().isAccepted()
                .expectHeader().valueEquals("Idempotent-Replayed", "true")
                .expectHeader().valueEquals("Location", "/api/v1/batches/" + first.get("id"))
                .expectBody(Map.class).returnResult();
        postJson(other, key).expectStatus().isEqualTo(409).expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);

        assertThat(second.getResponseBody()).isEqualTo(first);
        assertThat(commandsOf((String) first.get("id"), 1)).hasSize(1);
    }

    @Test
    void shouldReplayAnNdjsonSubmissionAndRefuseADifferentNdjsonBody() {
        String key = "idem-" + UUID.randomUUID();
        String body = ndjson(recipient("a@example.com"));

        Map<String, Object> first = postNdjson(body, key).expectStatus().isAccepted().expectBody(MAP).returnResult().getResponseBody();
        Map<String, Object> again = postNdjson(body, key).expectStatus().isAccepted()
                .expectHeader().valueEquals("Idempotent-Replayed", "true").expectBody(MAP).returnResult().getResponseBody();
        postNdjson(ndjson(recipient("z@example.com")), key).expectStatus().isEqualTo(409);

        assertThat(again).isEqualTo(first);
    }

    @Test
    void shouldProduceOneBatchFromConcurrentIdenticalRequests() throws Exception {
        // Given eight identical requests racing with one key
        String key = "race-" + UUID.randomUUID();
        String marker = "race-" + UUID.randomUUID() + "@example.com";
        String json = "{\"from\":\"news@example.com\",\"subject\":\"s\",\"text\":\"t\",\"recipients\":[{\"email\":\"" + marker + "\"}]}";
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<CompletableFuture<EntityExchangeResult<Map>>> calls = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                calls.add(CompletableFuture.supplyAsync(() -> postJson(json, key).expectBody(Map.class).returnResult(), pool));
            }
            List<EntityExchangeResult<Map>> results = calls.stream().map(CompletableFuture::join).toList();

            // Then every answer is the one batch (202) or "in flight" (409), and Kafka holds one batch
            assertThat(results).allSatisfy(r -> assertThat(r.getStatus().value()).isIn(202, 409));
            assertThat(results.stream().filter(r -> r.getStatus().value() == 202).map(r -> r.getResponseBody().get("id")).distinct())
                    .hasSize(1);
            assertThat(stack.read(stack.topics.batchCommands,
                    r -> r.value() instanceof BatchCommand.SubmitChunk c && c.recipients().stream().anyMatch(x -> x.email().equals(marker)), 1)).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    private WebTestClient.ResponseSpec postJson(String json, String key) {
        return client.post().uri("/api/v1/batches").header("Authorization", "Bearer " + IngressTestStack.ADMIN_KEY)
                .header("Idempotency-Key", key).contentType(MediaType.APPLICATION_JSON).bodyValue(json).exchange();
    }
}
