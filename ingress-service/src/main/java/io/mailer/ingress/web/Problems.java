package io.mailer.ingress.web;

import java.net.URI;
import java.util.List;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Builds and writes RFC 9457 {@code application/problem+json} answers. {@code type} is a stable
 * URI per kind of problem so clients can branch on it; {@code errors} lists field-level problems.
 */
@Component
public class Problems {

    public static final String TYPE_BASE = "https://mailer.dev/problems/";

    private final JsonMapper json;

    public Problems(JsonMapper json) {
        this.json = json;
    }

    public record FieldProblem(String field, String message) {
    }

    public static ProblemDetail of(HttpStatusCode status, String type, String detail, List<FieldProblem> errors) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create(TYPE_BASE + type));
        HttpStatus known = HttpStatus.resolve(status.value());
        problem.setTitle(known != null ? known.getReasonPhrase() : "Error");
        if (errors != null && !errors.isEmpty()) {
            problem.setProperty("errors", errors);
        }
        return problem;
    }

    public Mono<Void> write(ServerWebExchange exchange, HttpStatusCode status, String type, String detail,
            List<FieldProblem> errors) {
        return write(exchange, of(status, type, detail, errors));
    }

    public Mono<Void> write(ServerWebExchange exchange, ProblemDetail problem) {
        if (problem.getInstance() == null) {
            problem.setInstance(URI.create(exchange.getRequest().getPath().value()));
        }
        var response = exchange.getResponse();
        response.setStatusCode(HttpStatusCode.valueOf(problem.getStatus()));
        response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        DataBuffer body = response.bufferFactory().wrap(json.writeValueAsBytes(problem));
        return response.writeWith(Mono.just(body));
    }
}
