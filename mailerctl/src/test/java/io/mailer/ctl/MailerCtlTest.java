package io.mailer.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parts without a server: configuration precedence, CSV, the bar, queue policies, usage errors. */
class MailerCtlTest {

    @TempDir
    Path dir;

    @Test
    void flagBeatsEnvironmentBeatsProfileFile() throws Exception {
        Path file = dir.resolve("config.properties");
        Files.writeString(file, "default.url=http://file:1\ndefault.api-key=file-key\nstaging.url=https://staging.example.com/api/v1/\n"
                + "staging.api-key=staging-key\n");
        assertThat(Config.resolve(null, null, null, Map.of(), file)).isEqualTo(new Config(java.net.URI.create("http://file:1/api/v1"), "file-key"));
        assertThat(Config.resolve(null, null, null, Map.of("MAILER_URL", "http://env:2", "MAILER_API_KEY", "env-key"), file))
                .isEqualTo(new Config(java.net.URI.create("http://env:2/api/v1"), "env-key"));
        assertThat(Config.resolve("http://flag:3/", "flag-key", null, Map.of("MAILER_URL", "http://env:2"), file).apiBase())
                .hasToString("http://flag:3/api/v1");
        assertThat(Config.resolve(null, null, "staging", Map.of(), file).apiBase()).hasToString("https://staging.example.com/api/v1");
        assertThatThrownBy(() -> Config.resolve(null, null, "prod", Map.of(), file)).hasMessageContaining("profile 'prod' is not in");
        assertThatThrownBy(() -> Config.resolve("ftp://x", "k", null, Map.of(), file)).hasMessageContaining("not an http(s) URL: ftp://x");
    }

    @Test
    void csvQuotingAndRefusals() {
        assertThat(Csv.fields("a@example.com,\"Doe, Jane\",\"say \"\"hi\"\"\"", 2)).containsExactly("a@example.com", "Doe, Jane", "say \"hi\"");
        assertThatThrownBy(() -> Csv.fields("a@example.com,\"open", 7)).hasMessage("line 7: unterminated quote (a field may not span lines)");
    }

    @Test
    void csvFileBecomesTheNdjsonBody() throws Exception {
        Path csv = dir.resolve("r.csv");
        Files.writeString(csv, "Email,name,metadata.id\na@example.com,Ann,1\n\nb@example.com,Bob,2\n");
        try (RecipientStream s = new RecipientStream(csv, RecipientStream.Format.CSV, "{\"subject\":\"x\"}\n".getBytes())) {
            String body = new String(s.readAllBytes());
            assertThat(body).isEqualTo("""
                    {"subject":"x"}
                    {"email":"a@example.com","variables":{"name":"Ann"},"metadata":{"id":"1"}}
                    {"email":"b@example.com","variables":{"name":"Bob"},"metadata":{"id":"2"}}
                    """);
            assertThat(s.recipients()).isEqualTo(2);
            assertThat(s.bytesRead()).isEqualTo(Files.size(csv));
        }
    }

    @Test
    void progressLineShowsPercentRateAndEta() {
        Progress p = new Progress(new PrintWriter(new StringWriter()), false, 0, "upload   ", Progress::bytes, java.time.Duration.ofSeconds(5));
        assertThat(p.line(512 * 1024, 1024 * 1024, "1,000 recipients", 2.0))
                .isEqualTo("upload    [############............]  50%  512.0 KB/1.0 MB  256.0 KB/s  1,000 recipients  ETA 0:02");
        assertThat(p.line(1024 * 1024, 1024 * 1024, "", 4.0)).endsWith("100%  1.0 MB/1.0 MB  256.0 KB/s  0:04");
    }

    @Test
    void onATerminalTheBarRedrawsOneRowNarrowerThanTheTerminal() {
        // 85 columns: the full line (~100 characters) would wrap, and each redraw start a new line
        List<String> frames = frames(85);
        assertThat(frames).hasSize(6).allSatisfy(f -> assertThat(f.length()).isLessThanOrEqualTo(84));
        // the detail goes first; percent, amounts, rate and ETA stay
        assertThat(frames.get(1)).startsWith("upload    [#########...............]  39%  400.0 KB/1.0 MB  ")
                .contains("ETA").doesNotContain("recipients");
        // narrower still: the end is cut
        assertThat(frames(40)).allSatisfy(f -> assertThat(f).hasSize(39).startsWith("upload    ["));
        // wide enough, or unknown (0): the whole line
        assertThat(frames(0).get(1)).contains("12,000 recipients  ETA");
    }

    /** The frames drawn on a terminal {@code columns} wide; asserts they stay on one row. */
    private static List<String> frames(int columns) {
        StringWriter screen = new StringWriter();
        Progress p = new Progress(new PrintWriter(screen), true, columns, "upload   ", Progress::bytes, java.time.Duration.ofSeconds(5));
        long now = System.nanoTime();
        for (int i = 1; i <= 5; i++) {
            p.print(i * 200L * 1024, 1024 * 1024, "12,000 recipients", now + i * 1_000_000_000L);
        }
        p.finish(1024 * 1024, 1024 * 1024, "12,000 recipients");
        String out = screen.toString();
        // one row redrawn with carriage returns, ended once: no line per update
        assertThat(out).startsWith("\r").endsWith(System.lineSeparator());
        assertThat(out.strip()).doesNotContain("\n");
        return List.of(out.strip().split("\r")).stream().map(String::stripTrailing).toList();
    }

    @Test
    void offATerminalEachUpdateIsAPlainLine() {
        StringWriter log = new StringWriter();
        Progress p = new Progress(new PrintWriter(log), false, 0, "deliver  ", Progress::count, java.time.Duration.ofSeconds(5));
        long now = System.nanoTime();
        p.print(10, 300, "delivered 10", now + 5_000_000_000L);
        p.print(20, 300, "delivered 20", now + 10_000_000_000L);
        p.finish(300, 300, "delivered 300");
        assertThat(log.toString()).doesNotContain("\r");
        assertThat(log.toString().lines()).hasSize(3).allSatisfy(l -> assertThat(l).startsWith("deliver   ["));
    }

    @Test
    void queuePolicyMustLetTheTopicSend() {
        String queue = "arn:aws:sqs:eu-west-1:1:q";
        String topic = "arn:aws:sns:eu-west-1:1:ses-events";
        var good = EventPathChecks.QueuePolicy.forTopics(queue, new LinkedHashSet<>(List.of(topic)));
        assertThat(EventPathChecks.QueuePolicy.allows(good, queue, topic)).isTrue();
        assertThat(EventPathChecks.QueuePolicy.allows(good, queue, "arn:aws:sns:eu-west-1:1:other")).isFalse();
        var wildcard = Json.MAPPER.readTree("""
                {"Statement":{"Effect":"Allow","Principal":"*","Action":"sqs:*","Resource":"arn:aws:sqs:eu-west-1:1:*",
                 "Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:sns:eu-west-1:1:ses-*"}}}}""");
        assertThat(EventPathChecks.QueuePolicy.allows(wildcard, queue, topic)).isTrue();
        var deny = Json.MAPPER.readTree("""
                {"Statement":[{"Effect":"Deny","Principal":"*","Action":"sqs:SendMessage"}]}""");
        assertThat(EventPathChecks.QueuePolicy.allows(deny, queue, topic)).isFalse();
    }

    @Test
    void usageErrorsExitTwo() {
        StringWriter err = new StringWriter();
        int exit = MailerCtl.run(new PrintWriter(new StringWriter()), new PrintWriter(err), Map.of("HOME", dir.toString()), false,
                "send", "x.ndjson");
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required option: '--subject=<subject>'");

        StringWriter err2 = new StringWriter();
        int noSuchFile = MailerCtl.run(new PrintWriter(new StringWriter()), new PrintWriter(err2),
                Map.of("HOME", dir.toString(), "MAILER_URL", "http://localhost:1", "MAILER_API_KEY", "k"), false,
                "send", dir.resolve("r.txt").toString(), "--subject", "s", "--text-file", "t.txt");
        assertThat(noSuchFile).isEqualTo(2);
        assertThat(err2.toString()).contains("no such file");
    }
}
