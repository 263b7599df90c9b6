package io.mailer.ingress.batch;

import io.mailer.ingress.web.Page;
import io.mailer.ingress.web.Problems.FieldProblem;
import io.mailer.ingress.web.ValidationException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parameters of {@code GET /api/v1/batches}, checked: every bad one is named in a 400
 * ({@code errors[].field} = the parameter). Created bounds are a half-open interval
 * [createdAfter, createdBefore), so adjacent windows neither overlap nor leave a gap.
 */
record BatchListRequest(String status, Instant createdAfter, Instant createdBefore, String tagName, String tagValue,
        Instant afterCreatedAt, String afterId, int limit) {

    static final Set<String> STATUSES = Set.of("ACCEPTED", "SCHEDULED", "PROCESSING", "COMPLETED", "CANCELLED");

    /** name:value with the submit rules of tag names and values (BatchRequestValidator), which contain no ':'. */
    private static final Pattern TAG = Pattern.compile("([A-Za-z0-9_-]{1,64}):([A-Za-z0-9_.@-]{0,256})");

    static BatchListRequest parse(String status, String createdAfter, String createdBefore, String tag, String cursor,
            String limit) {
        List<FieldProblem> errors = new ArrayList<>();
        String s = null;
        if (status != null) {
            s = status.toUpperCase(Locale.ROOT);
            if (!STATUSES.contains(s)) {
                errors.add(new FieldProblem("status", "must be one of " + new java.util.TreeSet<>(STATUSES)));
            }
        }
        Instant after = instant("createdAfter", createdAfter, errors);
        Instant before = instant("createdBefore", createdBefore, errors);
        String tagName = null;
        String tagValue = null;
        if (tag != null) {
            Matcher m = TAG.matcher(tag);
            if (m.matches()) {
                tagName = m.group(1);
                tagValue = m.group(2);
            } else {
                errors.add(new FieldProblem("tag", "must be name:value (a tag of the batch's message, e.g. campaign:winter)"));
            }
        }
        Instant cursorAt = null;
        String cursorId = null;
        try {
            String key = Page.decode(cursor);
            if (key != null) {
                int bar = key.indexOf('|');
                cursorAt = Instant.parse(key.substring(0, Math.max(bar, 0)));
                cursorId = key.substring(bar + 1);
            }
        } catch (RuntimeException e) {
            errors.add(new FieldProblem("cursor", "is not a cursor this API returned"));
        }
        int max = Page.DEFAULT_LIMIT;
        if (limit != null) {
            Integer n = limit.matches("\\d{1,4}") ? Integer.valueOf(limit) : null;
            if (n == null || n < 1 || n > Page.MAX_LIMIT) {
                errors.add(new FieldProblem("limit", "must be an integer between 1 and " + Page.MAX_LIMIT));
            } else {
                max = n;
            }
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        return new BatchListRequest(s, after, before, tagName, tagValue, cursorAt, cursorId, max);
    }

    /** The cursor of a page ending with {@code last}: its sort key (created_at, id). */
    static String sortKey(BatchView last) {
        return last.createdAt() + "|" + last.id();
    }

    private static Instant instant(String name, String value, List<FieldProblem> errors) {
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            errors.add(new FieldProblem(name, "must be an ISO-8601 instant, e.g. 2026-11-20T10:00:00Z"));
            return null;
        }
    }
}
