package io.mailer.ingress.web;

import java.util.List;
import tools.jackson.databind.DatabindException;

/** Renders a Jackson reference chain as a JSON-ish path such as {@code recipients[2].email}. */
final class JsonPaths {

    private JsonPaths() {
    }

    static String of(List<DatabindException.Reference> path) {
        StringBuilder out = new StringBuilder();
        for (DatabindException.Reference ref : path) {
            if (ref.getPropertyName() != null) {
                if (!out.isEmpty()) {
                    out.append('.');
                }
                out.append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                out.append('[').append(ref.getIndex()).append(']');
            }
        }
        return out.toString();
    }
}
