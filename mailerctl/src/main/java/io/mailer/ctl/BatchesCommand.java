package io.mailer.ctl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

@Command(name = "batches", description = "The tenant's batches, newest first.")
final class BatchesCommand extends ApiCommand {

    @Option(names = "--status", description = "ACCEPTED, SCHEDULED, PROCESSING, COMPLETED or CANCELLED.")
    String status;

    @Option(names = "--limit", defaultValue = "20", description = "How many (default ${DEFAULT-VALUE}; all pages up to it).")
    int limit;

    @Override
    public Integer call() {
        if (limit < 1) {
            throw new Failures.BadInput("--limit must be at least 1");
        }
        Api api = api();
        out().printf("%-32s %-11s %-27s %9s %9s %9s %9s%n", "ID", "STATUS", "CREATED", "TOTAL", "QUEUED", "DELIVERED", "FAILED");
        int shown = 0;
        String cursor = null;
        do {
            JsonNode page = api.get("/batches" + Paths.query("status", status, "limit", Integer.toString(Math.min(1000, limit - shown)),
                    "cursor", cursor));
            for (JsonNode b : page.path("items")) {
                JsonNode c = b.path("counts");
                out().printf("%-32s %-11s %-27s %9d %9d %9d %9d%n", Json.text(b, "id"), Json.text(b, "status"),
                        Json.text(b, "createdAt"), c.path("total").asLong(), c.path("queued").asLong(),
                        c.path("delivered").asLong(), c.path("failed").asLong());
                shown++;
            }
            cursor = page.path("nextCursor").isString() ? page.path("nextCursor").asString() : null;
        } while (cursor != null && shown < limit);
        return MailerCtl.OK;
    }
}
