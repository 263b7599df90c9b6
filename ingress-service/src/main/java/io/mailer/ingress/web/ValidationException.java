package io.mailer.ingress.web;

import java.util.List;
import org.springframework.http.HttpStatus;

/**
 * A request that parsed but breaks a rule; answered with one entry per offending field. Mostly
 * 400; a size budget (413) or a sender outside the tenant's policy (403) name their field too.
 */
public class ValidationException extends RuntimeException {

    private final List<Problems.FieldProblem> errors;
    private final HttpStatus status;
    private final String type;

    public ValidationException(List<Problems.FieldProblem> errors) {
        this(HttpStatus.BAD_REQUEST, "validation", summary(errors), errors);
    }

    public ValidationException(HttpStatus status, String type, String detail, List<Problems.FieldProblem> errors) {
        super(detail);
        this.errors = List.copyOf(errors);
        this.status = status;
        this.type = type;
    }

    public List<Problems.FieldProblem> errors() {
        return errors;
    }

    public HttpStatus status() {
        return status;
    }

    public String type() {
        return type;
    }

    private static String summary(List<Problems.FieldProblem> errors) {
        Problems.FieldProblem first = errors.get(0);
        String more = errors.size() > 1 ? " (and " + (errors.size() - 1) + " more problems)" : "";
        return "Invalid request: " + first.field() + " " + first.message() + more;
    }
}
