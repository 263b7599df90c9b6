package io.mailer.ctl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

@Command(name = "status", description = "A batch's status and counts.")
final class StatusCommand extends ApiCommand {

    @Parameters(paramLabel = "ID")
    String id;

    @Option(names = "--json", description = "The API's JSON as it is.")
    boolean json;

    @Override
    public Integer call() {
        JsonNode batch = api().get("/batches/" + Paths.segment(id));
        if (json) {
            out().println(Json.pretty(batch));
        } else {
            out().printf("%s  %s  created %s%n  %s%n", Json.text(batch, "id"), Json.text(batch, "status"),
                    Json.text(batch, "createdAt"), BatchFollower.summary(batch.path("counts")));
        }
        return MailerCtl.OK;
    }
}
