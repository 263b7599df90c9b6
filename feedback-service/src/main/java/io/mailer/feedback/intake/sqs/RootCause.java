package io.mailer.feedback.intake.sqs;

/** The innermost cause of an SDK or handler failure: what a log line about it should say. */
final class RootCause {

    private RootCause() {
    }

    static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
