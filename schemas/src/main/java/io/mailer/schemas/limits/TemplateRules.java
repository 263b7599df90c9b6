package io.mailer.schemas.limits;

import java.util.Optional;

/**
 * What Mailer's Mustache renderer accepts, checked the same way at submit (a 400 naming the field)
 * and before rendering (a FAILED send, never a stopped consumer). Partials and parents would need a
 * template loader a tenant could point anywhere; changed delimiters would hide tags from this scan;
 * deep nesting costs stack at render time. The renderer also caps its output and time.
 */
public final class TemplateRules {

    /** Deepest allowed nesting of sections ({@code {{#a}}{{#b}}…}). */
    public static final int MAX_SECTION_DEPTH = 16;

    private TemplateRules() {
    }

    /** The first rule {@code template} breaks, as a message for a field problem, or empty. */
    public static Optional<String> violation(String template) {
        if (template == null) {
            return Optional.empty();
        }
        int depth = 0;
        int i = 0;
        while ((i = template.indexOf("{{", i)) >= 0) {
            int at = i + 2;
            if (at >= template.length()) {
                break;
            }
            char kind = template.charAt(at);
            switch (kind) {
                case '>' -> {
                    return Optional.of("uses a partial ({{> …}}), which Mailer does not support");
                }
                case '<', '$' -> {
                    return Optional.of("uses template inheritance ({{< …}} / {{$ …}}), which Mailer does not support");
                }
                case '=' -> {
                    return Optional.of("changes the delimiters ({{= … =}}), which Mailer does not support");
                }
                case '#', '^' -> {
                    depth++;
                    if (depth > MAX_SECTION_DEPTH) {
                        return Optional.of("nests sections deeper than " + MAX_SECTION_DEPTH + " levels");
                    }
                }
                case '/' -> depth = Math.max(0, depth - 1);
                default -> {
                    // variables, {{{ }}}, {{& }}, comments
                }
            }
            int close = template.indexOf("}}", at);
            if (close < 0) {
                break;
            }
            i = close + 2;
        }
        return Optional.empty();
    }
}
