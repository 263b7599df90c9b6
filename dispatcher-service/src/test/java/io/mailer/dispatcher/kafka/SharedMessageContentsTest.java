package io.mailer.dispatcher.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.dispatcher.Fixtures;
import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.events.SendRequest;
import io.mailer.schemas.kafka.Topics;
import java.util.Map;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;

/** The sends of one batch, read from their JSON, share one message; the held messages stay bounded. */
class SharedMessageContentsTest {

    private static final Topics TOPICS = new Topics("t.");
    private final Serializer<SendRequest> serializer = TOPICS.sends.valueSerde().serializer();
    private final SharedMessageContents reader = new SharedMessageContents(TOPICS.sends.valueSerde().deserializer());

    @Test
    void shouldShareOneMessageAmongTheSendsOfABatch() {
        MessageContent message = message("<p>" + "x".repeat(50_000) + "</p>");

        SendRequest first = read(Fixtures.send("b1", 0, "a@example.com", Map.of("n", 0), message));
        SendRequest second = read(Fixtures.send("b1", 1, "b@example.com", Map.of("n", 1), message));
        SendRequest other = read(Fixtures.send("b2", 0, "c@example.com", Map.of("n", 0), message));

        // the same instance for the sends of b1, each send's own fields intact
        assertThat(second.message()).isSameAs(first.message()).isEqualTo(message);
        assertThat(second.email()).isEqualTo("b@example.com");
        assertThat(second.variables()).isEqualTo(Map.of("n", 1));
        assertThat(second.sendId()).isEqualTo(Fixtures.send("b1", 1, "b@example.com", Map.of(), message).sendId());
        // another batch has its own, even with equal content (a batch's message is its own)
        assertThat(other.message()).isNotSameAs(first.message());
        assertThat(reader.batches()).isEqualTo(2);
    }

    @Test
    void shouldFollowABatchWhoseMessageDiffers() {
        // records of one batch id with another message (a hand-written record, say) are read as written
        SendRequest first = read(Fixtures.send("b1", 0, "a@example.com", Map.of(), message("<p>one</p>")));
        SendRequest changed = read(Fixtures.send("b1", 1, "b@example.com", Map.of(), message("<p>two</p>")));
        SendRequest next = read(Fixtures.send("b1", 2, "c@example.com", Map.of(), message("<p>two</p>")));

        assertThat(first.message().html()).isEqualTo("<p>one</p>");
        assertThat(changed.message().html()).isEqualTo("<p>two</p>");
        assertThat(next.message()).isSameAs(changed.message());
        assertThat(reader.batches()).isEqualTo(1);
        assertThat(reader.chars()).isEqualTo("Hi".length() + "<p>two</p>".length() + "Hi".length());
    }

    @Test
    void shouldHoldAtMostTheBoundOfBatchesAndCharacters() {
        for (int b = 0; b < SharedMessageContents.BATCHES + 50; b++) {
            read(Fixtures.send("many" + b, 0, "a@example.com", Map.of(), message("<p>" + b + "</p>")));
        }
        assertThat(reader.batches()).isEqualTo(SharedMessageContents.BATCHES);

        // 512 KiB messages (the largest a batch may have): at most CHARS of them
        String big = "y".repeat(512 * 1024);
        for (int b = 0; b < 100; b++) {
            read(Fixtures.send("big" + b, 0, "a@example.com", Map.of(), message(big + b)));
        }
        assertThat(reader.chars()).isLessThanOrEqualTo(SharedMessageContents.CHARS);
        assertThat(reader.batches()).isLessThan(64);

        // the most recently read batch is still shared
        SendRequest again = read(Fixtures.send("big99", 1, "b@example.com", Map.of(), message(big + 99)));
        SendRequest once = read(Fixtures.send("big99", 2, "c@example.com", Map.of(), message(big + 99)));
        assertThat(once.message()).isSameAs(again.message());
    }

    @Test
    void shouldPassNullsThrough() {
        assertThat(reader.deserialize("t.sends", null)).isNull();
    }

    private SendRequest read(SendRequest send) {
        return reader.deserialize(TOPICS.sends.name(), serializer.serialize(TOPICS.sends.name(), send));
    }

    private static MessageContent message(String html) {
        return new MessageContent("news@example.com", null, "Hi", html, "Hi", Map.of(), Map.of(), null, false);
    }
}
