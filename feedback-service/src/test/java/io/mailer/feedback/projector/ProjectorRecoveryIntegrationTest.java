package io.mailer.feedback.projector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailer.feedback.support.FeedbackStack;
import io.mailer.schemas.commands.BatchCommand;
import io.mailer.schemas.commands.MessageContent;
import io.mailer.schemas.commands.RecipientEntry;
import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.EventType;
import io.mailer.schemas.events.Ids;
import io.mailer.schemas.kafka.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Offsets are committed only after the database commit: while PostgreSQL is down the projector
 * holds its position, and once it is back every record is projected, none skipped.
 */
class ProjectorRecoveryIntegrationTest {

    @Test
    void shouldHoldOffsetsWhileDatabaseIsDownAndProjectEverythingAfterRestart() {
        FeedbackStack stack = FeedbackStack.get();
        Topics topics = stack.topics().topics();
        stack.awaitProjectorCaughtUp();
        String b = "batch-" + UUID.randomUUID();
        String sendId = Ids.sendId(b, 0);
        Instant now = Instant.parse("2026-11-20T10:00:00Z");
        // Given PostgreSQL is down
        stack.devStack().postgres().stop();
        try {
            // When a chunk and a SENT event arrive
            BatchCommand chunk = BatchCommand.submitChunk(b, "acme", 0, 1, 0, 1,
                    new MessageContent("a@acme.example", null, "s", "h", "t", Map.of(), Map.of(), null, false),
                    List.of(new RecipientEntry("ivy@example.com", Map.of(), Map.of())), now);
            stack.send(topics.batchCommands.name(), b,
                    topics.batchCommands.valueSerde().serializer().serialize(topics.batchCommands.name(), chunk));
            DeliveryEvent sent = new DeliveryEvent(Ids.pipelineEventId(sendId, EventType.SENT), EventType.SENT, sendId,
                    b, "acme", 0, "ivy@example.com", now, "ses-ivy", null, Map.of());
            stack.send(topics.deliveryEvents.name(), sendId,
                    topics.deliveryEvents.valueSerde().serializer().serialize(topics.deliveryEvents.name(), sent));
            // Then the projector does not move past them
            await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(15))
                    .until(() -> !stack.projectorBehind().isEmpty());
        } finally {
            stack.devStack().postgres().restart();
        }
        // And once PostgreSQL is back, both are projected
        stack.awaitProjectorCaughtUp();
        assertThat(stack.jdbc().queryForList("SELECT status FROM recipient WHERE send_id = ?", String.class, sendId))
                .containsExactly("SENT");
        assertThat(stack.jdbc().queryForList("SELECT status FROM batch WHERE id = ?", String.class, b))
                .containsExactly("COMPLETED");
    }
}
