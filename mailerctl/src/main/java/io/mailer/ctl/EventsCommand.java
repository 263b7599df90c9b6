package io.mailer.ctl;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

/**
 * A batch's events in time order; {@code --follow} keeps reading until the batch is final. The last
 * page has no cursor, so following re-reads from the last cursor and skips the ids already shown.
 */
@Command(name = "events", description = "A batch's events (SENT, DELIVERED, BOUNCED, …); --follow until it is final.")
final class EventsCommand extends ApiCommand {

    @Parameters(paramLabel = "ID")
    String id;

    @Option(names = "--type", description = "Only this event type.")
    String type;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new events until the batch is COMPLETED or CANCELLED.")
    boolean follow;

    @Option(names = "--json", description = "One JSON object a line.")
    boolean json;

    @Override
    public Integer call() {
        Api api = api();
        String batchPath = "/batches/" + Paths.segment(id);
        String cursor = null;
        Set<String> shownFromCursor = new HashSet<>();
        while (true) {
            JsonNode page = api.get(batchPath + "/events" + Paths.query("type", type, "limit", "1000", "cursor", cursor));
            for (JsonNode e : page.path("items")) {
                if (shownFromCursor.add(Json.text(e, "id"))) {
                    print(e);
                }
            }
            JsonNode next = page.path("nextCursor");
            if (next.isString()) {
                cursor = next.asString();
                shownFromCursor.clear();
                continue;
            }
            if (!follow) {
                return MailerCtl.OK;
            }
            boolean wasFinal = isFinal(api, batchPath);
            if (wasFinal && page.path("items").isEmpty()) {
                return MailerCtl.OK;
            }
            if (!wasFinal) {
                BatchFollower.sleep(Duration.ofSeconds(1));
            } else {
                // final: one more read catches events projected between the page and the status
                follow = false;
            }
        }
    }

    private static boolean isFinal(Api api, String batchPath) {
        try {
            return BatchFollower.FINAL.contains(Json.text(api.get(batchPath), "status"));
        } catch (ApiException e) {
            if (e.status == 404) {
                return false; // accepted, not in the view yet
            }
            throw e;
        }
    }

    private void print(JsonNode e) {
        if (json) {
            out().println(e.toString());
        } else {
            String reason = Json.text(e, "reason");
            out().printf("%s  %-11s %s  %s%s%n", Json.text(e, "occurredAt"), Json.text(e, "type"), Json.text(e, "sendId"),
                    Json.text(e, "email"), reason.isEmpty() ? "" : "  (" + reason + ")");
        }
        out().flush();
    }
}
