package io.mailer.feedback.intake.ses;

import tools.jackson.databind.JsonNode;

/** Null-safe scalar reads from SES JSON, where any field may be absent or of an unexpected kind. */
final class Texts {

    private Texts() {
    }

    /** The node's scalar value as a string; null for missing, null, object or array nodes. */
    static String text(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull() || node.isContainer()) {
            return null;
        }
        return node.isString() ? node.stringValue() : node.asString();
    }
}
