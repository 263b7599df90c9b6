package io.mailer.feedback.projector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailer.feedback.support.FeedbackStack;
import io.mailer.schemas.commands.BatchCommand;
import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.EventType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Batch counts stay exact when every record is delivered twice (SQS redelivery, SNS retries and
 * producer retries all end as repeated records) and while a second projector instance joins the
 * consumer group mid-stream; cancelled recipients are terminal and the counts add up to the total.
 */
class ProjectorCountingIntegrationTest {

    private static FeedbackStack stack;
    private static ProjectorFixtures fx;

    @BeforeAll
    static void start() {
        stack = FeedbackStack.get();
        fx = new ProjectorFixtures(stack);
    }

    /** 300 recipients: every pipeline outcome, SES outcomes on top, opens that are not states. */
    private static List<DeliveryEvent> eventsOf(String b) {
        List<DeliveryEvent> events = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            EventType outcome = i < 240 ? EventType.SENT : i < 270 ? EventType.CANCELLED
                    : i < 285 ? EventType.SUPPRESSED : EventType.FAILED;
            events.add(ProjectorFixtures.event(b, i, outcome, 1));
            if (i < 10) {
                // a late Delivery after the Bounce must not undo it
                events.add(ProjectorFixtures.event(b, i, EventType.BOUNCED, 3));
                events.add(ProjectorFixtures.event(b, i, EventType.DELIVERED, 2));
            } else if (i < 200) {
                events.add(ProjectorFixtures.event(b, i, EventType.DELIVERED, 2));
            }
            if (i >= 10 && i < 20) {
                events.add(ProjectorFixtures.event(b, i, EventType.BOUNCED, 3));
            } else if (i >= 20 && i < 30) {
                events.add(ProjectorFixtures.event(b, i, EventType.COMPLAINED, 60));
            } else if (i >= 30 && i < 40) {
                events.add(ProjectorFixtures.event(b, i, EventType.OPENED, 30));
            }
        }
        return events;
    }

    @Test
    void shouldCountEveryRecipientExactlyOnceWithDuplicatesAndTwoProjectorInstances() {
        String b = "count-" + UUID.randomUUID();
        List<BatchCommand.SubmitChunk> chunks = ProjectorFixtures.chunks(b, 300, 100);
        List<DeliveryEvent> events = eventsOf(b);
        int half = events.size() / 2;
        // Given the first chunk and half of the events projected by one instance
        fx.send(chunks.get(0));
        events.subList(0, half).forEach(fx::send);
        // When a second instance joins the group and everything else arrives, every record twice
        ConfigurableApplicationContext second = stack.startAnotherInstance();
        try {
            chunks.forEach(fx::send);
            events.subList(half, events.size()).forEach(fx::send);
            events.forEach(fx::send);
            chunks.subList(1, 3).forEach(fx::send);
            stack.awaitProjectorCaughtUp();
            // Then each recipient is counted once, in its furthest state, and the batch is complete
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(fx.statusCounts(b)).isEqualTo(Map.of(
                    "DELIVERED", 170, "BOUNCED", 20, "COMPLAINED", 10, "SENT", 40,
                    "CANCELLED", 30, "SUPPRESSED", 15, "FAILED", 15)));
            assertThat(fx.statusCounts(b).values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(300);
            assertThat(fx.eventRows(b)).isEqualTo(events.size());
            assertThat(fx.batch(b)).isEqualTo(Map.of("status", "COMPLETED", "total", 300, "completed", true));
        } finally {
            second.close();
        }
    }

    @Test
    void shouldProjectCancelledRecipientsAsTerminalAndKeepTheBatchCancelled() {
        // Given a batch of 5 of which 2 were sent before the cancel and 3 cancelled by the topology
        String b = "cancel-" + UUID.randomUUID();
        fx.send(ProjectorFixtures.chunks(b, 5, 5).get(0));
        fx.send(ProjectorFixtures.event(b, 0, EventType.SENT, 1));
        fx.send(ProjectorFixtures.event(b, 1, EventType.SENT, 1));
        fx.send(BatchCommand.cancel(b, "acme", ProjectorFixtures.T0.plusSeconds(2)));
        for (int i = 2; i < 5; i++) {
            fx.send(ProjectorFixtures.event(b, i, EventType.CANCELLED, 2));
        }
        // And a CANCELLED that races a SENT (the dispatcher's) for an already sent recipient
        fx.send(ProjectorFixtures.event(b, 1, EventType.CANCELLED, 3));
        // When projected
        stack.awaitProjectorCaughtUp();
        // Then sent + cancelled = total, and the batch stays CANCELLED (not COMPLETED)
        assertThat(fx.statusCounts(b)).isEqualTo(Map.of("SENT", 2, "CANCELLED", 3));
        assertThat(fx.batch(b)).isEqualTo(Map.of("status", "CANCELLED", "total", 5, "completed", false));
    }

    @Test
    void shouldEndCancelledWhenTheCancelledRecipientsAreProjectedBeforeTheCancelCommand() {
        // Given a cancelled batch of 5 whose events (2 sent, 3 cancelled by the topology) are projected
        // before its cancel command, which comes on another topic
        String b = "cancel-late-" + UUID.randomUUID();
        fx.send(ProjectorFixtures.chunks(b, 5, 5).get(0));
        fx.send(ProjectorFixtures.event(b, 0, EventType.SENT, 1));
        fx.send(ProjectorFixtures.event(b, 1, EventType.SENT, 1));
        for (int i = 2; i < 5; i++) {
            fx.send(ProjectorFixtures.event(b, i, EventType.CANCELLED, 2));
        }
        stack.awaitProjectorCaughtUp();

        // When the command arrives after them
        fx.send(BatchCommand.cancel(b, "acme", ProjectorFixtures.T0.plusSeconds(2)));
        stack.awaitProjectorCaughtUp();

        // Then the batch is CANCELLED, not COMPLETED: the cancel was in time for three recipients
        assertThat(fx.statusCounts(b)).isEqualTo(Map.of("SENT", 2, "CANCELLED", 3));
        assertThat(fx.batch(b)).isEqualTo(Map.of("status", "CANCELLED", "total", 5, "completed", false));
    }
}
