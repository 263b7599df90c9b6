package io.mailer.ctl;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Streams a recipient file to {@code POST /batches} (NDJSON: the message line from the options,
 * then the recipients) with a progress bar, then follows the batch to its end with a second one.
 */
@Command(name = "send", description = "Send a batch: stream FILE (.ndjson or .csv) with a progress bar, then follow it.")
final class SendCommand extends ApiCommand {

    @Parameters(paramLabel = "FILE", description = "Recipients: NDJSON {\"email\",\"variables\",\"metadata\"} per line, "
            + "or CSV with a header (email column; other columns are variables, metadata.* columns metadata).")
    Path file;

    @Option(names = "--format", description = "ndjson or csv (default: from the file name)")
    String format;

    @Option(names = "--subject", required = true, description = "Subject (a Mustache template).")
    String subject;

    @Option(names = "--html-file", paramLabel = "FILE", description = "HTML body template.")
    Path htmlFile;

    @Option(names = "--text-file", paramLabel = "FILE", description = "Text body template.")
    Path textFile;

    @Option(names = "--from", description = "From address (default: the service's MAIL_FROM).")
    String from;

    @Option(names = "--reply-to", description = "Reply-To address.")
    String replyTo;

    @Option(names = "--idempotency-key", paramLabel = "KEY", description = "Idempotency-Key: a retry replays the first answer (24 h).")
    String idempotencyKey;

    @Option(names = "--no-follow", description = "Return once the batch is accepted.")
    boolean noFollow;

    @Option(names = "--timeout", defaultValue = "PT1H", description = "How long to follow the batch (ISO-8601, default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--progress-every", defaultValue = "PT5S", hidden = true,
            description = "Plain progress line interval when stdout is not a terminal.")
    Duration progressEvery;

    @Override
    public Integer call() throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new Failures.BadInput("no such file: " + file);
        }
        if (htmlFile == null && textFile == null) {
            throw new Failures.BadInput("give --html-file or --text-file (or both)");
        }
        RecipientStream.Format fmt = RecipientStream.Format.of(file, format);
        byte[] messageLine = (message().toString() + "\n").getBytes(StandardCharsets.UTF_8);
        Api api = api();
        long size = Files.size(file);
        RecipientStream body = new RecipientStream(file, fmt, messageLine);
        Progress bar = new Progress(out(), root().tty, root().columns(), "upload   ", Progress::bytes, progressEvery);
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mailerctl-progress");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleAtFixedRate(() -> bar.update(body.bytesRead(), size, recipients(body.recipients())),
                100, 100, TimeUnit.MILLISECONDS);
        JsonNode accepted;
        try {
            Map<String, String> headers = new LinkedHashMap<>();
            if (idempotencyKey != null) {
                headers.put("Idempotency-Key", idempotencyKey);
            }
            accepted = api.postStream("/batches", "application/x-ndjson", HttpRequest.BodyPublishers.ofInputStream(() -> body),
                    headers);
        } finally {
            ticker.shutdownNow();
            body.close();
        }
        bar.finish(body.bytesRead(), size, recipients(body.recipients()));
        String id = Json.text(accepted, "id");
        out().printf("accepted %s: %s recipients, status %s%n", id, accepted.path("recipients").asLong(),
                Json.text(accepted, "status"));
        if (noFollow) {
            return MailerCtl.OK;
        }
        return new BatchFollower(api, out(), root().tty, root().columns(), progressEvery).follow(id, timeout);
    }

    private ObjectNode message() {
        ObjectNode m = Json.object();
        if (from != null) {
            m.put("from", from);
        }
        if (replyTo != null) {
            m.put("replyTo", replyTo);
        }
        m.put("subject", subject);
        if (htmlFile != null) {
            m.put("html", read(htmlFile));
        }
        if (textFile != null) {
            m.put("text", read(textFile));
        }
        return m;
    }

    private static String read(Path template) {
        try {
            return Files.readString(template);
        } catch (IOException e) {
            throw new Failures.BadInput("cannot read " + template + ": " + e.getMessage(), e);
        }
    }

    private static String recipients(long n) {
        return Progress.count(n) + " recipients";
    }
}
