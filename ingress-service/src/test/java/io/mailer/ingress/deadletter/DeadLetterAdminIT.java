package io.mailer.ingress.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.ingress.IngressTestStack;
import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.events.Ids;
import io.mailer.schemas.events.SendRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;

/** Listing a batch's dead letters and replaying them to {@code sends}, as an operator (admin key). */
class DeadLetterAdminIT {

    private static final String AUTH = "Bearer " + IngressTestStack.ADMIN_KEY;
    private static IngressTestStack stack;

    @BeforeAll
    static void start() throws Exception {
        stack = new IngressTestStack("it-dlt.", Map.of());
        MessageContent message = new MessageContent("news@example.com", null, "s", "<p>h</p>", null, Map.of(),
                Map.of(), null, false);
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka.bootstrapServers()), new StringSerializer(),
                stack.topics.sendsDlt.valueSerde().serializer())) {
            for (String batch : List.of("bat_dead", "bat_other")) {
                SendRequest send = new SendRequest(Ids.sendId(batch, 3), batch, "default", 3, "x@example.com",
                        Map.of(), Map.of(), message, Instant.parse("2026-11-27T10:00:00Z"));
                RecordHeaders headers = new RecordHeaders();
                headers.add(DeadLetters.REASON_HEADER, "ses:retries-exhausted:InternalFailure".getBytes(StandardCharsets.UTF_8));
                headers.add(DeadLetters.BATCH_HEADER, batch.getBytes(StandardCharsets.UTF_8));
                producer.send(new ProducerRecord<>(stack.topics.sendsDlt.name(), null, send.sendId(), send, headers)).get();
            }
        }
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldListTheDeadLettersOfOneBatchWithTheirReason() {
        // When an operator lists the dead letters of bat_dead
        Map<String, Object> body = stack.client.get().uri("/api/v1/admin/dead-letters?batchId=bat_dead")
                .header("Authorization", AUTH).exchange()
                .expectStatus().isOk().expectBody(new org.springframework.core.ParameterizedTypeReference<Map<String, Object>>() { })
                .returnResult().getResponseBody();

        // Then exactly its one dead letter is there, with the reason
        assertThat(body.get("batchId")).isEqualTo("bat_dead");
        List<?> letters = (List<?>) body.get("deadLetters");
        assertThat(letters).singleElement().satisfies(l -> assertThat((Map<String, Object>) l)
                .containsEntry("sendId", "bat_dead-3").containsEntry("email", "x@example.com")
                .containsEntry("reason", "ses:retries-exhausted:InternalFailure"));
    }

    @Test
    void shouldReplayTheDeadLettersOfOneBatchToSends() {
        // When an operator replays bat_dead
        Map<String, Object> body = stack.client.post().uri("/api/v1/admin/dead-letters/replay")
                .header("Authorization", AUTH).contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"batchId\":\"bat_dead\"}").exchange()
                .expectStatus().isOk().expectBody(new org.springframework.core.ParameterizedTypeReference<Map<String, Object>>() { })
                .returnResult().getResponseBody();

        // Then its send is back on sends, unchanged, and the other batch's is not
        assertThat(body).containsEntry("replayed", 1);
        var replayed = stack.read(stack.topics.sends, r -> true, 1);
        assertThat(replayed).singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo("bat_dead-3");
            assertThat(r.value().batchId()).isEqualTo("bat_dead");
        });
    }

    @Test
    void shouldRequireABatchId() {
        stack.client.get().uri("/api/v1/admin/dead-letters").header("Authorization", AUTH).exchange()
                .expectStatus().isBadRequest();
    }
}
