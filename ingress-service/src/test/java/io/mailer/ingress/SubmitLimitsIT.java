package io.mailer.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.schemas.commands.BatchCommand;
import io.mailer.schemas.kafka.Json;
import io.mailer.schemas.limits.RecordBudget;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The documented size limits of the submit path with the default settings (INGRESS_MAX_BODY_MB 10,
 * INGRESS_CHUNK_SIZE 500): the JSON body limit, the message budget and chunks that never pass the
 * record budget.
 */
class SubmitLimitsIT {

    static final org.springframework.core.ParameterizedTypeReference<Map<String, Object>> MAP =
            new org.springframework.core.ParameterizedTypeReference<>() {
            };
    static final int BODY_LIMIT = 10 * 1024 * 1024; // INGRESS_MAX_BODY_MB=10 is 10 MiB (Spring DataSize)
    static IngressTestStack stack;
    static WebTestClient client;

    @BeforeAll
    static void startStack() {
        stack = new IngressTestStack("it-limits.", Map.of());
        client = stack.client;
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    private static WebTestClient.ResponseSpec post(MediaType type, byte[] body) {
        return client.post().uri("/api/v1/batches").header("Authorization", "Bearer " + IngressTestStack.ADMIN_KEY)
                .contentType(type).bodyValue(body).exchange();
    }

    private static String jsonBatch(String recipients) {
        return "{\"from\":\"news@example.com\",\"subject\":\"Hi {{name}}\",\"text\":\"Hello {{name}} {{code}}\",\"recipients\":["
                + recipients + "]}";
    }

    @Test
    void shouldAcceptATenThousandRecipientJsonBatchWithVariables() {
        // ~1 MB: four times Spring's 256 KiB default, which applied while the limit property was misnamed
        String recipients = IntStream.range(0, 10_000)
                .mapToObj(i -> "{\"email\":\"r" + i + "@example.com\",\"variables\":{\"name\":\"Recipient " + i
                        + "\",\"code\":\"" + UUID.randomUUID() + "\"}}")
                .collect(Collectors.joining(","));
        byte[] body = jsonBatch(recipients).getBytes(StandardCharsets.UTF_8);
        assertThat(body.length).isGreaterThan(256 * 1024);

        Map<String, Object> answer = post(MediaType.APPLICATION_JSON, body).expectStatus().isAccepted()
                .expectBody(MAP).returnResult().getResponseBody();

        assertThat(answer).containsEntry("recipients", 10_000);
    }

    @Test
    void shouldAcceptABodyOfExactlyTheLimitAndRefuseOneByteMore() {
        byte[] exact = padded(jsonBatch("{\"email\":\"a@example.com\",\"variables\":{\"name\":\"A\"}}"), BODY_LIMIT);
        byte[] over = padded(jsonBatch("{\"email\":\"a@example.com\",\"variables\":{\"name\":\"A\"}}"), BODY_LIMIT + 1);

        post(MediaType.APPLICATION_JSON, exact).expectStatus().isAccepted();
        post(MediaType.APPLICATION_JSON, over).expectStatus().isEqualTo(413)
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("https://mailer.dev/problems/payload-too-large");
    }

    /** The JSON followed by whitespace (insignificant to the parser) up to exactly {@code size} bytes. */
    private static byte[] padded(String json, int size) {
        byte[] body = new byte[size];
        byte[] head = json.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(head, 0, body, 0, head.length);
        java.util.Arrays.fill(body, head.length, size, (byte) ' ');
        return body;
    }

    @Test
    void shouldAnswer413NamingTheBudgetForAnNdjsonMessageOverTheMessageBudget() {
        String html = "<p>" + "x".repeat(1_200_000) + "</p>";
        String body = "{\"from\":\"news@example.com\",\"subject\":\"s\",\"html\":\"" + html + "\"}\n{\"email\":\"a@example.com\"}\n";

        post(MediaType.parseMediaType("application/x-ndjson"), body.getBytes(StandardCharsets.UTF_8))
                .expectStatus().isEqualTo(413).expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.detail").value(d -> assertThat((String) d).contains(String.valueOf(RecordBudget.MAX_MESSAGE_BYTES)));
    }

    @Test
    void shouldRefuseAPartialInTheHtmlNamingTheField() {
        String body = "{\"from\":\"news@example.com\",\"subject\":\"s\",\"html\":\"<p>{{> x}}</p>\",\"recipients\":[{\"email\":\"a@example.com\"}]}";

        post(MediaType.APPLICATION_JSON, body.getBytes(StandardCharsets.UTF_8)).expectStatus().isBadRequest()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("html")
                .jsonPath("$.errors[0].message").value(m -> assertThat((String) m).contains("partial"));
    }

    @Test
    void shouldSplitAChunkOfLargeRecipientsSoNoRecordPassesTheRecordBudget() {
        // 500 recipients (one INGRESS_CHUNK_SIZE) of ~5 KB each: ~2.5 MB if written as one record
        String filler = "v".repeat(5_000);
        String recipients = IntStream.range(0, 500)
                .mapToObj(i -> "{\"email\":\"r" + i + "@example.com\",\"variables\":{\"name\":\"R" + i + "\",\"code\":\"" + filler + "\"}}")
                .collect(Collectors.joining(","));

        Map<String, Object> answer = post(MediaType.APPLICATION_JSON, jsonBatch(recipients).getBytes(StandardCharsets.UTF_8))
                .expectStatus().isAccepted().expectBody(MAP).returnResult().getResponseBody();

        List<ConsumerRecord<String, byte[]>> records = rawCommands((String) answer.get("id"), 3);
        assertThat(records).hasSizeGreaterThanOrEqualTo(3);
        assertThat(records).allSatisfy(r -> assertThat(r.value().length).isLessThanOrEqualTo(RecordBudget.MAX_RECORD_BYTES));
        List<BatchCommand.SubmitChunk> chunks = records.stream().map(r -> Json.MAPPER.readValue(r.value(), BatchCommand.class))
                .map(BatchCommand.SubmitChunk.class::cast).toList();
        assertThat(chunks.stream().mapToInt(c -> c.recipients().size()).sum()).isEqualTo(500);
        assertThat(chunks).extracting(BatchCommand.SubmitChunk::chunkIndex).containsExactlyElementsOf(
                IntStream.range(0, chunks.size()).boxed().toList());
        assertThat(chunks).allSatisfy(c -> {
            assertThat(c.chunkCount()).isEqualTo(chunks.size());
            assertThat(c.totalRecipients()).isEqualTo(500);
        });
        int next = 0;
        for (BatchCommand.SubmitChunk c : chunks) {
            assertThat(c.firstRecipientIndex()).isEqualTo(next);
            next += c.recipients().size();
        }
    }

    /** The committed records of a batch as bytes, as a consumer would fetch them. */
    private static List<ConsumerRecord<String, byte[]>> rawCommands(String batchId, int atLeast) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024);
        List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(stack.topics.batchCommands.name()));
            long deadline = System.currentTimeMillis() + 30_000;
            boolean settled = false;
            while (!settled && System.currentTimeMillis() < deadline) {
                int before = found.size();
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.key().equals(batchId)) {
                        found.add(r);
                    }
                }
                // stop at the first quiet poll once the expected minimum has arrived
                settled = found.size() >= atLeast && found.size() == before;
            }
        }
        found.sort(java.util.Comparator.comparingLong(ConsumerRecord::offset));
        return found;
    }
}
