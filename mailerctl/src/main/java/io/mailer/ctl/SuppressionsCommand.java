package io.mailer.ctl;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

@Command(name = "suppressions", description = "The tenant's suppression list: import, export, add, remove.")
final class SuppressionsCommand extends ApiCommand {

    @Command(name = "import", description = "Import FILE: NDJSON {\"email\",\"reason\"} lines or CSV email[,reason] (one transaction, ≤ 100,000 lines).")
    int importFile(@Parameters(paramLabel = "FILE") Path file,
            @Option(names = "--format", description = "ndjson or csv (default: from the file name)") String format) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new Failures.BadInput("no such file: " + file);
        }
        String contentType = RecipientStream.Format.of(file, format) == RecipientStream.Format.CSV ? "text/csv" : "application/x-ndjson";
        JsonNode answer = api().postStream("/suppressions/import", contentType, HttpRequest.BodyPublishers.ofFile(file), Map.of());
        out().printf("imported %d%n", answer.path("imported").asLong());
        return MailerCtl.OK;
    }

    @Command(name = "export", description = "Export the list (streamed): NDJSON, or CSV with --csv.")
    int export(@Option(names = "--csv", description = "CSV instead of NDJSON.") boolean csv,
            @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of stdout.") Path output)
            throws IOException {
        try (InputStream in = api().getStream("/suppressions/export", csv ? "text/csv" : "application/x-ndjson")) {
            if (output != null) {
                try (OutputStream file = Files.newOutputStream(output)) {
                    long bytes = in.transferTo(file);
                    err().printf("wrote %s to %s%n", Progress.bytes(bytes), output);
                }
            } else {
                out().flush();
                out().print(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return MailerCtl.OK;
    }

    @Command(name = "add", description = "Suppress EMAIL.")
    int add(@Parameters(paramLabel = "EMAIL") String email,
            @Option(names = "--reason", defaultValue = "MANUAL", description = "Reason (default ${DEFAULT-VALUE}).") String reason) {
        api().put("/suppressions/" + Paths.segment(email), Json.object().put("reason", reason));
        out().printf("suppressed %s (%s)%n", email, reason);
        return MailerCtl.OK;
    }

    @Command(name = "remove", description = "Remove EMAIL's suppression (a COMPLAINT one stays: 409).")
    int remove(@Parameters(paramLabel = "EMAIL") String email) {
        api().delete("/suppressions/" + Paths.segment(email));
        out().printf("removed %s%n", email);
        return MailerCtl.OK;
    }
}
