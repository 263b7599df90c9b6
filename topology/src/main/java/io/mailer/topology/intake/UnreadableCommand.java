package io.mailer.topology.intake;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import io.mailer.schemas.commands.BatchCommand;
import io.mailer.schemas.kafka.Json;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Why a {@code batch-commands} value that failed to read is still a well-formed command gone
 * wrong, in the words of {@link BatchCommandDecoder}'s other reasons.
 *
 * <p>{@link BatchCommand} is a sealed type chosen by the {@code "type"} property and a chunk's
 * indexes are ints, so a command without a type, with a type this topology does not know, or a
 * chunk without an index no longer reads as a record with nulls that the decoder then rejects: the
 * read itself fails. This looks at the JSON to give those failures their precise reason. It runs
 * only after a failed read, so valid commands are parsed once.
 */
final class UnreadableCommand {

    static final String NO_FIRST_RECIPIENT_INDEX = "SUBMIT_CHUNK needs firstRecipientIndex >= 0";

    /** The type names BatchCommand reads, from its own annotation so the two cannot drift apart. */
    private static final Set<String> KNOWN_TYPES = Arrays.stream(BatchCommand.class.getAnnotation(JsonSubTypes.class).value())
            .map(JsonSubTypes.Type::name).collect(Collectors.toUnmodifiableSet());
    private static final String SUBMIT_CHUNK = "SUBMIT_CHUNK";
    /** The chunk fields {@link BatchCommand.SubmitChunk} cannot be read without, checked in this order. */
    private static final List<String> CHUNK_INDEXES = List.of("firstRecipientIndex", "chunkIndex", "totalRecipients");

    private UnreadableCommand() {
    }

    /** The reason, or null when the value is not a JSON object or fails for another reason. */
    static String problem(byte[] raw) {
        JsonNode command;
        try {
            command = Json.MAPPER.readTree(raw);
        } catch (JacksonException e) {
            return null; // not JSON: the reader's message says where it broke
        }
        if (command == null || !command.isObject()) {
            return null;
        }
        JsonNode type = command.get("type");
        if (absent(type)) {
            return "type is missing";
        }
        String name = type.isString() ? type.asString() : type.toString();
        if (!type.isString() || !KNOWN_TYPES.contains(name)) {
            // a type added to the schema before this topology learnt it: kept for replay
            return "unsupported command type " + name;
        }
        // the same order of checks as BatchCommandDecoder.problem on a command that did read
        if (blank(command.get("batchId")) || blank(command.get("tenantId"))) {
            return "batchId and tenantId are required";
        }
        if (name.equals(SUBMIT_CHUNK)) {
            for (String index : CHUNK_INDEXES) {
                if (absent(command.get(index))) {
                    return index.equals("firstRecipientIndex") ? NO_FIRST_RECIPIENT_INDEX : "SUBMIT_CHUNK needs " + index;
                }
            }
        }
        return null;
    }

    private static boolean absent(JsonNode node) {
        return node == null || node.isNull();
    }

    private static boolean blank(JsonNode node) {
        return absent(node) || node.isString() && node.asString().isBlank();
    }
}
