package io.mailer.feedback.projector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailer.feedback.support.FeedbackStack;
import io.mailer.schemas.commands.BatchCommand;
import io.mailer.schemas.events.EventType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Offsets are committed only after the database commit: PostgreSQL stopped in the middle of a
 * stream holds the projector's position, and once it is back every record is projected, none
 * skipped and none counted twice.
 */
class ProjectorRecoveryIntegrationTest {

    @Test
    void shouldHoldOffsetsWhileDatabaseIsDownAndProjectExactCountsAfterRestart() {
        FeedbackStack stack = FeedbackStack.get();
        ProjectorFixtures fx = new ProjectorFixtures(stack);
        stack.awaitProjectorCaughtUp();
        String b = "outage-" + UUID.randomUUID();
        List<BatchCommand.SubmitChunk> chunks = ProjectorFixtures.chunks(b, 200, 50);
        // Given the first half of a batch is streaming in
        fx.send(chunks.get(0));
        fx.send(chunks.get(1));
        for (int i = 0; i < 100; i++) {
            fx.send(ProjectorFixtures.event(b, i, EventType.SENT, 1));
        }
        // When PostgreSQL stops mid-stream and the rest arrives meanwhile (with redelivered duplicates)
        fx.flush();
        stack.devStack().postgres().stop();
        try {
            fx.send(chunks.get(2));
            fx.send(chunks.get(3));
            for (int i = 0; i < 200; i++) {
                if (i >= 100) {
                    fx.send(ProjectorFixtures.event(b, i, EventType.SENT, 1));
                }
                if (i < 150) {
                    fx.send(ProjectorFixtures.event(b, i, EventType.DELIVERED, 2));
                } else if (i < 160) {
                    fx.send(ProjectorFixtures.event(b, i, EventType.BOUNCED, 3));
                }
                if (i < 100) {
                    fx.send(ProjectorFixtures.event(b, i, EventType.SENT, 1));
                }
            }
            fx.flush();
            // Then the projector does not move past what it could not write
            await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(15))
                    .until(() -> !stack.projectorBehind().isEmpty());
        } finally {
            stack.devStack().postgres().restart();
        }
        // And once PostgreSQL is back, the counts are exact
        stack.awaitProjectorCaughtUp();
        assertThat(fx.statusCounts(b)).isEqualTo(Map.of("DELIVERED", 150, "BOUNCED", 10, "SENT", 40));
        assertThat(fx.eventRows(b)).isEqualTo(200 + 150 + 10);
        assertThat(fx.batch(b)).isEqualTo(Map.of("status", "COMPLETED", "total", 200, "completed", true));
    }
}
