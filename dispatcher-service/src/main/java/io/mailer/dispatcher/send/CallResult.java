package io.mailer.dispatcher.send;

import io.mailer.dispatcher.ses.SesError;
import java.util.List;

/** How one SES call ended: answered (one result per member), rejected as a whole, or not made (gate closed, batch cancelled, tenant paused). */
sealed interface CallResult {

    /** SES answered: {@code results} has one entry per member of the call, in order. */
    record Answered(List<EntryResult> results) implements CallResult {
    }

    /** The call failed as a whole (429, 5xx, network): the same error for every member. */
    record Rejected(SesError error) implements CallResult {
    }

    /** The gate closed (paused account, shutdown) while the sends waited for their turn. */
    record Skipped(String reason) implements CallResult {
    }

    /** The tenant was PAUSED while the sends waited for their slot or turn: no call was made, the sends are held. */
    record Held(String reason) implements CallResult {
    }

    /** The batch was cancelled while the sends waited for their slot or turn: no call was made. */
    record Withdrawn() implements CallResult {
    }
}
