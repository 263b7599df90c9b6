package io.mailer.topology.intake;

import io.mailer.schemas.commands.BatchCommand;

/**
 * A {@code batch-commands} record after decoding: either a usable command, or the raw bytes with
 * the reason they were rejected. Rejection is a value, not an exception, so the record can be
 * routed to the dead-letter topic inside the same transaction that commits its offset.
 */
public record DecodedCommand(BatchCommand command, byte[] raw, String errorClass, String reason) {

    public static DecodedCommand accepted(BatchCommand command) {
        return new DecodedCommand(command, null, null, null);
    }

    public static DecodedCommand rejected(byte[] raw, String errorClass, String reason) {
        return new DecodedCommand(null, raw, errorClass, reason);
    }

    public boolean isRejected() {
        return command == null;
    }
}
