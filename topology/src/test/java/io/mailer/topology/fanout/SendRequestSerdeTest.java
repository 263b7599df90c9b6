package io.mailer.topology.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.events.SendRequest;
import io.mailer.schemas.kafka.Topics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SendRequestSerdeTest {

    private static final Topics TOPICS = new Topics("test.");
    private static final MessageContent NEWS = new MessageContent("news@mailer.example", null,
            "Nov news for {{name}} – “quoted” \"and\" \\ slashes", "<html><body>\n\t<h1>Hi {{name}}</h1>é 漢字 😀</body></html>",
            "Hi {{name}}", Map.of("List-Unsubscribe", "<https://u.example/x>"), Map.of("campaign", "nov", "a", "b"),
            Instant.parse("2026-12-01T08:00:00Z"), true);
    private static final MessageContent RECEIPT = new MessageContent("billing@mailer.example", "help@mailer.example",
            "Receipt", null, "Paid", null, null, null, false);

    @Test
    void shouldWriteExactlyTheBytesOfTheSharedSerdeForEveryRecordOfInterleavedChunks() {
        // Given send requests of two chunks that share message and createdAt instances, interleaved
        // (so the one-entry caches miss and refill), with escapes, non-ASCII, nulls and nanoseconds
        Instant created = Instant.parse("2026-11-27T10:00:00.123456789Z");
        Instant otherCreated = Instant.parse("2026-11-27T10:00:00Z");
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("name", "Zoë \"Z\" <z>");
        nested.put("n", 42);
        nested.put("list", List.of(1, "two", Map.of("k", true)));
        nested.put("none", null);
        List<SendRequest> sends = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            boolean first = i % 2 == 0;
            sends.add(new SendRequest("b-" + i, "b", "acme", i, "user" + i + "@Example.com",
                    first ? nested : Map.of("name", "U" + i), first ? Map.of("crm", "c-" + i) : null,
                    first ? NEWS : RECEIPT, first ? created : otherCreated));
        }
        sends.add(new SendRequest("b-6", "b", "acme", 6, "x@example.com", null, null, null, null));
        // an equal but distinct message instance must not be confused with the cached one
        sends.add(new SendRequest("b-7", "b", "acme", 7, "y@example.com", null, null,
                new MessageContent("other@mailer.example", null, "S", "H", "T", null, null, null, false), created));

        // When each is written by the fan-out's serde and by the shared one
        SendRequestSerde serde = new SendRequestSerde(TOPICS.sends.valueSerde());
        for (SendRequest send : sends) {
            byte[] fast = serde.serialize("sends", send);
            byte[] shared = TOPICS.sends.valueSerde().serializer().serialize("sends", send);

            // Then the bytes are identical, and read back to the same request
            assertThat(new String(fast, java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo(new String(shared, java.nio.charset.StandardCharsets.UTF_8));
            assertThat(fast).isEqualTo(shared);
            assertThat(serde.deserializer().deserialize("sends", fast)).isEqualTo(send);
        }
    }
}
