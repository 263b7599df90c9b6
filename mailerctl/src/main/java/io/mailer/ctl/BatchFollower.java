package io.mailer.ctl;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * Polls {@code GET /batches/{id}} until COMPLETED or CANCELLED with a bar of recipients done
 * (total − queued). The view lags the pipeline: a 404 right after the 202 means "not projected yet".
 */
final class BatchFollower {

    static final List<String> FINAL = List.of("COMPLETED", "CANCELLED");
    private static final List<String> OUTCOMES = List.of("delivered", "bounced", "complained", "suppressed", "failed", "cancelled");

    private final Api api;
    private final PrintWriter out;
    private final boolean tty;
    private final int columns;
    private final Duration plainEvery;

    BatchFollower(Api api, PrintWriter out, boolean tty, int columns, Duration plainEvery) {
        this.api = api;
        this.out = out;
        this.tty = tty;
        this.columns = columns;
        this.plainEvery = plainEvery;
    }

    int follow(String id, Duration timeout) {
        Progress bar = new Progress(out, tty, columns, "deliver  ", Progress::count, plainEvery);
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode batch = null;
        while (System.nanoTime() < deadline) {
            batch = read(id);
            if (batch != null) {
                JsonNode c = batch.path("counts");
                long total = c.path("total").asLong();
                long done = total - c.path("queued").asLong();
                String status = Json.text(batch, "status");
                if (FINAL.contains(status)) {
                    bar.finish(done, total, outcomes(c));
                    return verdict(id, status, c);
                }
                bar.update(done, total, outcomes(c));
            }
            sleep(Duration.ofMillis(500));
        }
        out.printf("%s: still %s after %s (--timeout)%n", id, batch == null ? "not visible" : Json.text(batch, "status"), timeout);
        return MailerCtl.FAILED;
    }

    private JsonNode read(String id) {
        try {
            return api.get("/batches/" + id);
        } catch (ApiException e) {
            if (e.status == 404) {
                return null;
            }
            throw e;
        }
    }

    private int verdict(String id, String status, JsonNode counts) {
        long failed = counts.path("failed").asLong();
        out.printf("%s %s: %s%n", id, status, summary(counts));
        if (!"COMPLETED".equals(status) || failed > 0) {
            out.printf("%s did not complete cleanly (%s, %d failed): see mailerctl events %s and mailerctl dlq list --batch %s%n",
                    id, status, failed, id, id);
            return MailerCtl.FAILED;
        }
        return MailerCtl.OK;
    }

    static String summary(JsonNode counts) {
        StringBuilder b = new StringBuilder();
        counts.properties().forEach(e -> b.append(b.isEmpty() ? "" : ", ").append(e.getKey()).append(' ').append(e.getValue()));
        return b.toString();
    }

    private static String outcomes(JsonNode counts) {
        StringBuilder b = new StringBuilder();
        for (String o : OUTCOMES) {
            long n = counts.path(o).asLong();
            if (n > 0) {
                b.append(b.isEmpty() ? "" : " ").append(o).append(' ').append(Progress.count(n));
            }
        }
        return b.toString();
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
