package io.mailer.ctl;

import tools.jackson.databind.JsonNode;

/** A non-2xx answer, described from its RFC 9457 problem: status, detail and the fields named. */
final class ApiException extends RuntimeException {

    final int status;

    ApiException(String method, String path, int status, JsonNode problem, String rawBody) {
        super(message(method, path, status, problem, rawBody));
        this.status = status;
    }

    private static String message(String method, String path, int status, JsonNode problem, String rawBody) {
        StringBuilder m = new StringBuilder(method).append(' ').append(path).append(" → HTTP ").append(status);
        String detail = problem == null ? "" : Json.text(problem, "detail");
        if (detail.isEmpty() && problem != null) {
            detail = Json.text(problem, "title");
        }
        if (detail.isEmpty() && rawBody != null && !rawBody.isBlank()) {
            detail = rawBody.length() > 300 ? rawBody.substring(0, 300) + "…" : rawBody;
        }
        if (!detail.isEmpty()) {
            m.append(": ").append(detail);
        }
        if (problem != null && problem.path("errors").isArray()) {
            for (JsonNode e : problem.path("errors")) {
                m.append("\n  ").append(Json.text(e, "field")).append(": ").append(Json.text(e, "message"));
            }
        }
        if (status == 401) {
            m.append(" (check --api-key / MAILER_API_KEY)");
        }
        return m.toString();
    }
}
