package io.mailer.ingress.suppression;

import io.mailer.ingress.web.EmailAddressRule;
import io.mailer.ingress.web.Problems.FieldProblem;
import io.mailer.ingress.web.ValidationException;
import io.mailer.schemas.events.Suppression;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Flux;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/** A suppression as a client writes it (one, or an import of NDJSON or CSV lines), checked field by field. */
final class SuppressionInput {

    static final int MAX_IMPORT = 100_000;

    private final JsonMapper json;

    SuppressionInput(JsonMapper json) {
        this.json = json;
    }

    List<Suppression> parse(String tenant, Flux<DataBuffer> body, boolean csv) throws IOException {
        List<Suppression> out = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(DataBufferUtils.subscriberInputStream(body, 4),
                StandardCharsets.UTF_8))) {
            String line;
            int n = 0;
            while ((line = in.readLine()) != null) {
                n++;
                if (line.isBlank() || (csv && n == 1 && line.trim().toLowerCase(Locale.ROOT).startsWith("email"))) {
                    continue;
                }
                if (out.size() == MAX_IMPORT) {
                    throw new ResponseStatusException(HttpStatus.CONTENT_TOO_LARGE, "An import holds at most " + MAX_IMPORT + " addresses.");
                }
                String email;
                String reason = null;
                if (csv) {
                    String[] cells = line.split(",", -1);
                    email = cells[0].trim();
                    reason = cells.length > 1 && !cells[1].isBlank() ? cells[1].trim() : null;
                } else {
                    Map<?, ?> obj;
                    try {
                        obj = json.readValue(line, Map.class);
                    } catch (JacksonException e) {
                        throw new ValidationException(List.of(new FieldProblem("line " + n, "is not a JSON object")));
                    }
                    email = obj.get("email") instanceof String e ? e : null;
                    reason = obj.get("reason") instanceof String r ? r : null;
                }
                out.add(suppression(tenant, email, reason, "line " + n));
            }
        }
        return out;
    }

    static Suppression suppression(String tenant, String email, String reason, String field) {
        String problem = EmailAddressRule.problem(email);
        if (problem != null) {
            throw new ValidationException(List.of(new FieldProblem(field, "email " + problem)));
        }
        Suppression.Reason r = Suppression.Reason.MANUAL;
        if (reason != null) {
            try {
                r = Suppression.Reason.valueOf(reason.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ValidationException(List.of(new FieldProblem(field, "reason must be one of BOUNCE, COMPLAINT, UNSUBSCRIBE, MANUAL")));
            }
        }
        return new Suppression(tenant, email, r, null, Instant.now());
    }
}
