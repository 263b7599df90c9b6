package io.mailer.feedback.projector;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.schemas.events.EventType;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The state machine's table, spelled out: which event moves which state. */
class RecipientStatusTest {

    @Test
    void shouldMapOnlyStateEventsToStates() {
        Map<EventType, RecipientStatus> actual = new EnumMap<>(EventType.class);
        for (EventType t : EventType.values()) {
            actual.put(t, RecipientStatus.of(t));
        }
        assertThat(actual).isEqualTo(Map.ofEntries(
                Map.entry(EventType.SUPPRESSED, RecipientStatus.SUPPRESSED),
                Map.entry(EventType.CANCELLED, RecipientStatus.CANCELLED),
                Map.entry(EventType.SENT, RecipientStatus.SENT),
                Map.entry(EventType.FAILED, RecipientStatus.FAILED),
                Map.entry(EventType.SES_ACCEPTED, RecipientStatus.QUEUED),
                Map.entry(EventType.REJECTED, RecipientStatus.QUEUED),
                Map.entry(EventType.DELIVERED, RecipientStatus.DELIVERED),
                Map.entry(EventType.BOUNCED, RecipientStatus.BOUNCED),
                Map.entry(EventType.SOFT_BOUNCED, RecipientStatus.QUEUED),
                Map.entry(EventType.COMPLAINED, RecipientStatus.COMPLAINED),
                Map.entry(EventType.DELIVERY_DELAYED, RecipientStatus.QUEUED),
                Map.entry(EventType.OPENED, RecipientStatus.QUEUED),
                Map.entry(EventType.CLICKED, RecipientStatus.QUEUED),
                Map.entry(EventType.RENDERING_FAILED, RecipientStatus.QUEUED),
                Map.entry(EventType.UNSUBSCRIBED, RecipientStatus.QUEUED)));
    }

    @Test
    void shouldOnlyMoveForwardAndReachTerminalStatesOnlyFromQueued() {
        assertThat(RecipientStatus.canMove(0, 1)).as("QUEUED -> SENT").isTrue();
        assertThat(RecipientStatus.canMove(1, 2)).as("SENT -> DELIVERED").isTrue();
        assertThat(RecipientStatus.canMove(2, 3)).as("DELIVERED -> COMPLAINED").isTrue();
        assertThat(RecipientStatus.canMove(3, 2)).as("BOUNCED -> DELIVERED").isFalse();
        assertThat(RecipientStatus.canMove(3, 3)).as("BOUNCED -> COMPLAINED").isFalse();
        assertThat(RecipientStatus.canMove(0, 5)).as("QUEUED -> SUPPRESSED").isTrue();
        assertThat(RecipientStatus.canMove(1, 5)).as("SENT -> FAILED").isFalse();
        assertThat(RecipientStatus.canMove(5, 5)).as("FAILED -> CANCELLED").isFalse();
        assertThat(RecipientStatus.canMove(0, 0)).as("non-state events").isFalse();
    }

    @Test
    void shouldLetOnlyASentEventTakeAFailedRecipientBack() {
        assertThat(RecipientStatus.canMove(RecipientStatus.FAILED, RecipientStatus.SENT)).as("replayed dead letter").isTrue();
        assertThat(RecipientStatus.canMove(RecipientStatus.FAILED, RecipientStatus.DELIVERED)).isFalse();
        assertThat(RecipientStatus.canMove(RecipientStatus.SUPPRESSED, RecipientStatus.SENT)).isFalse();
        assertThat(RecipientStatus.canMove(RecipientStatus.CANCELLED, RecipientStatus.SENT)).isFalse();
        assertThat(RecipientStatus.canMove(RecipientStatus.SENT, RecipientStatus.FAILED)).isFalse();
        assertThat(RecipientStatus.canMove(RecipientStatus.QUEUED, RecipientStatus.FAILED)).isTrue();
    }
}
