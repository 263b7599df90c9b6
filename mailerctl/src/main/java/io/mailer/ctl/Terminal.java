package io.mailer.ctl;

import java.io.Console;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the progress bars need to know about stdout: whether it is a terminal, and how wide. A bar
 * wider than the terminal wraps, and then each {@code \r} redraw starts a new line.
 */
final class Terminal {

    static final int DEFAULT_COLUMNS = 80;

    private Terminal() {
    }

    /** From JDK 22 System.console() exists for pipes too; Console.isTerminal() (22+) tells. */
    static boolean isTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true; // before JDK 22: a console only when stdin and stdout are terminals
        }
    }

    /** COLUMNS when exported, else {@code stty size} of the controlling terminal, else 80. */
    static int columns(Map<String, String> env) {
        Integer fromEnv = positive(env.get("COLUMNS"));
        if (fromEnv != null) {
            return fromEnv;
        }
        try {
            Process stty = new ProcessBuilder("stty", "size").redirectInput(new File("/dev/tty"))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (stty.waitFor(1, TimeUnit.SECONDS)) {
                String[] rowsColumns = new String(stty.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim().split("\\s+");
                Integer columns = rowsColumns.length == 2 ? positive(rowsColumns[1]) : null;
                if (columns != null) {
                    return columns;
                }
            } else {
                stty.destroy();
            }
        } catch (java.io.IOException e) {
            // no stty (Windows) or no controlling terminal: the default
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return DEFAULT_COLUMNS;
    }

    private static Integer positive(String s) {
        try {
            int n = s == null ? 0 : Integer.parseInt(s.trim());
            return n > 0 ? n : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
