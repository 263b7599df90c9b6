package io.mailer.dispatcher.send;

import io.mailer.dispatcher.ses.SesError;

/** How one SES call ended: answered (with the mode's answer), rejected with an error, or not made (gate closed, batch cancelled). */
sealed interface CallResult<A> {

    record Answered<A>(A answer) implements CallResult<A> {
    }

    record Rejected<A>(SesError error) implements CallResult<A> {
    }

    /** The gate closed (paused account, shutdown) while the send waited for its turn. */
    record Skipped<A>(String reason) implements CallResult<A> {
    }

    /** The tenant was PAUSED while the send waited for its slot or turn: no call was made, the send is held. */
    record Held<A>(String reason) implements CallResult<A> {
    }

    /** The batch was cancelled while the send waited for its slot or turn: no call was made. */
    record Withdrawn<A>() implements CallResult<A> {
    }
}
