package io.mailer.dispatcher.send;

import java.util.concurrent.CompletableFuture;

/**
 * How one poll's ready sends are grouped into SES attempts: each alone ({@link OneByOne}, single mode)
 * or by batch and message ({@link ByBatchMessage}, bulk mode). A grouping lives for one poll.
 */
interface Grouping {

    /** Adds a prepared send; its outcome completes once its attempts end. */
    CompletableFuture<SendOutcome> add(SendPreparer.Preparation.Ready ready);

    /** Starts the groups held back until now; sends added later form new groups. */
    void startHeld();

    /** The poll's last send was added: starts the groups held back until now. */
    default void close() {
        startHeld();
    }
}
