package io.mailer.topology.batch;

import io.mailer.schemas.commands.BatchCommand;

/**
 * A chunk that passed the batch gate: to be fanned out either for sending, or — when its batch was
 * cancelled — only to give each of its recipients a CANCELLED event.
 */
public record GatedChunk(BatchCommand.SubmitChunk chunk, boolean cancelled) {
}
