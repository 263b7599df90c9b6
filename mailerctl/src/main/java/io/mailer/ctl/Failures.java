package io.mailer.ctl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;

/** Exceptions of a command → one line for the user and an exit code. */
final class Failures {

    private Failures() {
    }

    /** Bad input the user can fix: exit 2 with the message as it is. */
    static final class BadInput extends RuntimeException {
        BadInput(String message) {
            super(message);
        }

        BadInput(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A BadInput anywhere in the cause chain (the HTTP client wraps what the body stream threw). */
    static BadInput badInput(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BadInput b) {
                return b;
            }
        }
        return null;
    }

    static String describe(Throwable e) {
        Throwable root = e instanceof UncheckedIOException u ? u.getCause() : e;
        if (badInput(e) != null) {
            return badInput(e).getMessage();
        }
        if (root instanceof ApiException) {
            return root.getMessage();
        }
        if (root instanceof ConnectException) {
            return "cannot connect: " + (root.getMessage() == null ? "connection refused" : root.getMessage())
                    + " (is the URL right? see --url / MAILER_URL)";
        }
        if (root instanceof HttpTimeoutException) {
            return "the API did not answer in time: " + root.getMessage();
        }
        if (root instanceof IOException) {
            return "I/O error: " + root;
        }
        return e.toString();
    }

    static int exitCode(Throwable e) {
        return badInput(e) != null ? MailerCtl.USAGE : MailerCtl.FAILED;
    }
}
