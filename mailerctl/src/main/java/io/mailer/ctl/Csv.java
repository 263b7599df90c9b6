package io.mailer.ctl;

import java.util.ArrayList;
import java.util.List;

/** One CSV line (RFC 4180 quoting: "a, b" and "" for a quote); fields spanning lines are refused. */
final class Csv {

    private Csv() {
    }

    static List<String> fields(String line, long lineNumber) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"' && field.isEmpty()) {
                quoted = true;
            } else if (c == ',') {
                fields.add(field.toString().strip());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        if (quoted) {
            throw new Failures.BadInput("line " + lineNumber + ": unterminated quote (a field may not span lines)");
        }
        fields.add(field.toString().strip());
        return fields;
    }
}
