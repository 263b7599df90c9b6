package io.mailer.platform.settings;

/**
 * One environment variable a service reads: its name, whether it must be set, its default, how
 * to check it and a one-line description used in the startup error message.
 */
public record Setting(String name, boolean required, String defaultValue, Check check, String help) {

    /** Returns a description of what is wrong with the value, or null when it is acceptable. */
    @FunctionalInterface
    public interface Check {
        String problem(String value);
    }

    public static Setting required(String name, Check check, String help) {
        return new Setting(name, true, null, check, help);
    }

    public static Setting optional(String name, String defaultValue, Check check, String help) {
        return new Setting(name, false, defaultValue, check, help);
    }
}
