package io.mailer.ctl;

import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

@Command(name = "dlq", description = "Dead letters of a batch (admin scope): list, replay.")
final class DlqCommand extends ApiCommand {

    @Command(name = "list", description = "A batch's dead letters, oldest first.")
    int list(@Option(names = "--batch", required = true, paramLabel = "ID") String batch,
            @Option(names = "--tenant", description = "Operator admins: a tenant or *.") String tenant) {
        JsonNode answer = api().get("/admin/dead-letters" + Paths.query("batchId", batch, "tenant", tenant));
        JsonNode letters = answer.path("deadLetters");
        out().printf("%d dead letter(s) of %s%n", letters.size(), batch);
        for (JsonNode d : letters) {
            out().printf("  %s  %s  %s  (%s)%n", Json.text(d, "deadLetteredAt"), Json.text(d, "sendId"), Json.text(d, "email"),
                    Json.text(d, "reason"));
        }
        return MailerCtl.OK;
    }

    @Command(name = "replay", description = "Send a batch's dead letters (all, or --send-id ones) back to sends.")
    int replay(@Option(names = "--batch", required = true, paramLabel = "ID") String batch,
            @Option(names = "--send-id", split = ",", description = "Only these sends.") List<String> sendIds,
            @Option(names = "--tenant", description = "Operator admins: the batch's tenant.") String tenant) {
        ObjectNode body = Json.object().put("batchId", batch);
        if (sendIds != null) {
            sendIds.forEach(body.putArray("sendIds")::add);
        }
        JsonNode answer = api().post("/admin/dead-letters/replay" + Paths.query("tenant", tenant), body);
        out().printf("replayed %d of %s%n", answer.path("replayed").asLong(), batch);
        for (JsonNode s : answer.path("skipped")) {
            out().printf("  skipped %s %s: %s %s%n", Json.text(s, "sendId"), Json.text(s, "email"), Json.text(s, "reason"),
                    Json.text(s, "detail"));
        }
        return MailerCtl.OK;
    }
}
