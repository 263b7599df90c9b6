package io.mailer.ingress.web;

import io.mailer.ingress.auth.AccessDenied;
import io.mailer.ingress.auth.AuthenticationFailed;
import io.mailer.ingress.limits.RateLimits;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DatabindException;

/**
 * The last word on every error, including those raised outside controllers (unknown routes,
 * unsupported media types, filters): every answer is problem+json, and nothing unexpected leaks
 * a stack trace — it is logged and answered with a generic 500.
 */
@Component
@Order(-2) // ahead of Boot's DefaultErrorWebExceptionHandler (-1)
public class ProblemExceptionHandler implements WebExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemExceptionHandler.class);

    private final Problems problems;

    public ProblemExceptionHandler(Problems problems) {
        this.problems = problems;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
        if (exchange.getResponse().isCommitted()) {
            return Mono.error(ex);
        }
        HttpHeaders headers = exchange.getResponse().getHeaders();
        if (ex instanceof RateLimits.LimitExceeded limit) {
            headers.set(HttpHeaders.RETRY_AFTER, Long.toString(limit.retryAfterSeconds()));
        }
        if (ex instanceof AuthenticationFailed failed) {
            if (failed.lockedOut()) {
                headers.set(HttpHeaders.RETRY_AFTER, Long.toString(failed.retryAfterSeconds()));
            } else {
                headers.set(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
            }
        }
        if (ex instanceof ResponseStatusException rse && rse.getStatusCode().value() == 503) {
            exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, "5");
        }
        return problems.write(exchange, toProblem(ex));
    }

    ProblemDetail toProblem(Throwable ex) {
        if (ex instanceof ValidationException v) {
            return Problems.of(v.status(), v.type(), v.getMessage(), v.errors());
        }
        if (ex instanceof RateLimits.LimitExceeded limit) {
            return Problems.of(HttpStatus.TOO_MANY_REQUESTS, "too-many-requests", limit.getMessage(), null);
        }
        if (ex instanceof AuthenticationFailed failed) {
            return failed.lockedOut() ? Problems.of(HttpStatus.TOO_MANY_REQUESTS, "too-many-requests", failed.getMessage(), null)
                    : Problems.of(HttpStatus.UNAUTHORIZED, "unauthorized", failed.getMessage(), null);
        }
        if (ex instanceof AccessDenied denied) {
            return Problems.of(HttpStatus.FORBIDDEN, "forbidden", denied.getMessage(), null);
        }
        if (findCause(ex, DataBufferLimitException.class) != null) {
            return Problems.of(HttpStatus.CONTENT_TOO_LARGE, "payload-too-large",
                    "The request body is larger than the configured limit (INGRESS_MAX_BODY_MB); use application/x-ndjson for large batches.", null);
        }
        if (ex instanceof ServerWebInputException input) {
            JacksonException json = findCause(input, JacksonException.class);
            if (json != null) {
                return malformedJson(json);
            }
            return Problems.of(HttpStatus.BAD_REQUEST, "bad-request", input.getReason(), null);
        }
        if (ex instanceof ResponseStatusException rse) {
            HttpStatusCode status = rse.getStatusCode();
            String detail = rse.getReason() != null ? rse.getReason() : defaultDetail(status);
            return Problems.of(status, typeFor(status), detail, null);
        }
        if (ex instanceof ErrorResponseException withProblem) {
            // thrown with its own problem (a specific type such as complaint-suppression)
            return withProblem.getBody();
        }
        log.error("Unhandled error", ex);
        return Problems.of(HttpStatus.INTERNAL_SERVER_ERROR, "internal", "An unexpected error occurred.", null);
    }

    private static ProblemDetail malformedJson(JacksonException json) {
        String path = json instanceof DatabindException db ? JsonPaths.of(db.getPath()) : "";
        String detail;
        List<Problems.FieldProblem> errors = null;
        if (path.isEmpty()) {
            detail = "Malformed JSON: " + json.getOriginalMessage();
        } else {
            detail = "Wrong type or malformed value at '" + path + "': " + json.getOriginalMessage();
            errors = List.of(new Problems.FieldProblem(path, json.getOriginalMessage()));
        }
        return Problems.of(HttpStatus.BAD_REQUEST, "malformed-json", detail, errors);
    }

    private static String typeFor(HttpStatusCode status) {
        return switch (status.value()) {
            case 400 -> "bad-request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 406 -> "not-acceptable";
            case 409 -> "conflict";
            case 413 -> "payload-too-large";
            case 415 -> "unsupported-media-type";
            case 429 -> "too-many-requests";
            case 503 -> "unavailable";
            default -> "http-" + status.value();
        };
    }

    private static String defaultDetail(HttpStatusCode status) {
        HttpStatus known = HttpStatus.resolve(status.value());
        return known != null ? known.getReasonPhrase() : "Error " + status.value();
    }

    private static <T extends Throwable> T findCause(Throwable ex, Class<T> type) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
            if (t instanceof DecodingException && t.getCause() == null) {
                return null;
            }
        }
        return null;
    }
}
