package io.mailer.feedback.projector;

import io.mailer.schemas.events.EventType;

/**
 * The recipient state machine, as ranks stored in {@code recipient.status_rank}. A recipient only
 * moves to a higher rank, so late or repeated events never move it back (a Delivery that arrives
 * after a Bounce leaves it BOUNCED). Terminal pipeline outcomes (rank 5) apply only to a QUEUED
 * recipient. One way back: FAILED -> SENT, because a dead-lettered send that is replayed and then
 * accepted by SES was sent after all; in either arrival order the recipient ends SENT. Event types that are not states (soft bounce, delay, open, click, SES acceptance,
 * reject, rendering failure, unsubscribe) map to QUEUED/0, which never changes an existing row.
 */
enum RecipientStatus {
    QUEUED(0), SENT(1), DELIVERED(2), BOUNCED(3), COMPLAINED(3), SUPPRESSED(5), FAILED(5), CANCELLED(5);

    static final int TERMINAL_RANK = 5;

    private final int rank;

    RecipientStatus(int rank) {
        this.rank = rank;
    }

    int rank() {
        return rank;
    }

    /** The state an event moves a recipient to; QUEUED for events that are not states. */
    static RecipientStatus of(EventType type) {
        return switch (type) {
            case SENT -> SENT;
            case DELIVERED -> DELIVERED;
            case BOUNCED -> BOUNCED;
            case COMPLAINED -> COMPLAINED;
            case SUPPRESSED -> SUPPRESSED;
            case FAILED -> FAILED;
            case CANCELLED -> CANCELLED;
            default -> QUEUED;
        };
    }

    /** The rule the SQL upsert applies, in Java for readers and unit tests. */
    static boolean canMove(RecipientStatus from, RecipientStatus to) {
        return isReplayedSend(from, to) || canMove(from.rank, to.rank);
    }

    static boolean canMove(int fromRank, int toRank) {
        return toRank > fromRank && (toRank < TERMINAL_RANK || fromRank == QUEUED.rank);
    }

    /** A FAILED send (e.g. dead-lettered) that a replay got accepted by SES. */
    static boolean isReplayedSend(RecipientStatus from, RecipientStatus to) {
        return from == FAILED && to == SENT;
    }
}
