package io.mailer.schemas.commands;

import java.util.Map;

/** One recipient as submitted: its address, template variables and caller metadata. */
public record RecipientEntry(String email, Map<String, Object> variables, Map<String, String> metadata) {

    public RecipientEntry {
        variables = variables == null ? Map.of() : variables;
        metadata = metadata == null ? Map.of() : metadata;
    }
}
