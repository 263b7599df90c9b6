package io.mailer.ctl;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Path segments and query values, encoded (ids and addresses come from the user). */
final class Paths {

    private Paths() {
    }

    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** "?a=1&b=2" from name/value pairs, skipping null values; "" when none. */
    static String query(String... pairs) {
        StringBuilder q = new StringBuilder();
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            if (pairs[i + 1] != null) {
                q.append(q.isEmpty() ? "?" : "&").append(pairs[i]).append('=').append(segment(pairs[i + 1]));
            }
        }
        return q.toString();
    }
}
