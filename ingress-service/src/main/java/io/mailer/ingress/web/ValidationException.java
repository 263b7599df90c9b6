package io.mailer.ingress.web;

import java.util.List;

/** A request that parsed but breaks a rule; answered 400 with one entry per offending field. */
public class ValidationException extends RuntimeException {

    private final List<Problems.FieldProblem> errors;

    public ValidationException(List<Problems.FieldProblem> errors) {
        super(summary(errors));
        this.errors = List.copyOf(errors);
    }

    public List<Problems.FieldProblem> errors() {
        return errors;
    }

    private static String summary(List<Problems.FieldProblem> errors) {
        Problems.FieldProblem first = errors.get(0);
        String more = errors.size() > 1 ? " (and " + (errors.size() - 1) + " more problems)" : "";
        return "Invalid request: " + first.field() + " " + first.message() + more;
    }
}
