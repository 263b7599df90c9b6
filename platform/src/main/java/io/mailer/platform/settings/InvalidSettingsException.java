package io.mailer.platform.settings;

import java.util.List;

/** Thrown at startup when required variables are missing or malformed; the message names each one. */
public class InvalidSettingsException extends RuntimeException {

    private final List<String> problems;

    public InvalidSettingsException(String service, List<String> problems) {
        super(service + " cannot start, invalid configuration:\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
