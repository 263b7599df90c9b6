package io.mailer.devstack.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailer.ctl.MailerCtl;
import io.mailer.devstack.DevStack;
import io.mailer.devstack.SandboxAccount;
import io.mailer.devstack.SesSandbox;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mailerctl} run in-process (picocli) against the whole local stack, as a user runs it
 * against {@code ./devstack/run.sh}: send a file with progress and follow it, failures and bad
 * input with their exit codes, suppressions, keys, events, dead letters, and doctor on a correct
 * sandbox account and on deliberately broken ones.
 */
class MailerCtlE2EIT {

    static final int RECIPIENTS = 2000;
    static DevStack stack;
    static MailerServices services;
    static String url;
    static String adminKey;
    @TempDir
    static Path dir;

    /** Output and exit code of one run. */
    record Run(int exit, String out, String err) {
        String all() {
            return out + err;
        }
    }

    @BeforeAll
    static void startEverything() {
        // 300 sends/s and more event publishers: a few thousand recipients finish in seconds, not minutes
        stack = DevStack.start(DevStack.Options.defaults()
                .sesConfig(SesSandbox.Config.defaults().maxSendRate(300).eventPublishers(8)));
        adminKey = stack.env().get("MAILER_BOOTSTRAP_ADMIN_KEY");
        var env = new java.util.HashMap<>(stack.env());
        env.put("REPUTATION_MIN_SENDS", "1000000"); // the failing batch must not pause the tenant
        services = MailerServices.start(env, MailerServices.Ports.RANDOM);
        url = "http://localhost:" + services.ingressPort();
    }

    @AfterAll
    static void stopEverything() {
        if (services != null) {
            services.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    static Run ctl(String... args) {
        return ctlWith(Map.of("MAILER_URL", url, "MAILER_API_KEY", adminKey, "HOME", dir.toString()), args);
    }

    static Run ctlWith(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = MailerCtl.run(new PrintWriter(out), new PrintWriter(err), env, false, args);
        return new Run(exit, out.toString(), err.toString());
    }

    static Path templates() throws Exception {
        Path html = dir.resolve("body.html");
        Files.writeString(html, "<p>Hi {{name}}</p>");
        Path text = dir.resolve("body.txt");
        Files.writeString(text, "Hi {{name}}");
        return dir;
    }

    static String batchId(Run run) {
        Matcher m = Pattern.compile("accepted (bat_\\S+):").matcher(run.out());
        assertThat(m.find()).as(run.all()).isTrue();
        return m.group(1);
    }

    @Test
    void sendsACsvOfThousandsWithProgressThenFollowsItToCompleted() throws Exception {
        templates();
        Path csv = dir.resolve("recipients.csv");
        List<String> lines = new ArrayList<>(List.of("email,name,metadata.customer"));
        for (int i = 0; i < RECIPIENTS; i++) {
            lines.add((i % 2 == 0 ? "success+" + i + "@simulator.amazonses.com" : "user" + i + "@example.com") + ",\"R, " + i + "\",c" + i);
        }
        Files.write(csv, lines);

        Run run = ctl("send", csv.toString(), "--subject", "Hello {{name}}", "--html-file", dir.resolve("body.html").toString(),
                "--text-file", dir.resolve("body.txt").toString(), "--from", "News <news@example.com>",
                "--idempotency-key", "cli-e2e-1", "--progress-every", "PT1S", "--timeout", "PT3M");

        assertThat(run.exit()).as(run.all()).isZero();
        assertThat(run.out()).contains("upload    [########################] 100%", "2,000 recipients")
                .contains("accepted bat_").contains("recipients, status ACCEPTED")
                .containsPattern("deliver   \\[#+\\] 100%  2,000/2,000")
                .contains("COMPLETED: total 2000, queued 0");
        String id = batchId(run);
        assertThat(stack.ses().sentTo("user1@example.com")).singleElement()
                .satisfies(m -> assertThat(m.subject()).isEqualTo("Hello R, 1"));

        // the same key and body replays the first answer: same batch, nothing sent twice
        Run again = ctl("send", csv.toString(), "--subject", "Hello {{name}}", "--html-file", dir.resolve("body.html").toString(),
                "--text-file", dir.resolve("body.txt").toString(), "--from", "News <news@example.com>",
                "--idempotency-key", "cli-e2e-1", "--no-follow");
        assertThat(again.exit()).as(again.all()).isZero();
        assertThat(batchId(again)).isEqualTo(id);

        Run status = ctl("status", id);
        assertThat(status.exit()).isZero();
        assertThat(status.out()).contains(id + "  COMPLETED");
        assertThat(ctl("batches", "--limit", "5").out()).contains(id);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(ctl("events", id, "--type", "DELIVERED").out().lines().count()).isEqualTo(RECIPIENTS));
        Run follow = ctl("events", id, "--follow", "--type", "SENT");
        assertThat(follow.exit()).isZero();
        assertThat(follow.out().lines().count()).isEqualTo(RECIPIENTS);
    }

    @Test
    void aBatchWithFailedRecipientsExitsNonZero() throws Exception {
        templates();
        stack.ses().failPermanently("blocked-.*@example\\.org", "MessageRejected");
        Path ndjson = dir.resolve("failing.ndjson");
        Files.writeString(ndjson, """
                {"email":"ok1@example.com","variables":{"name":"A"}}
                {"email":"blocked-1@example.org","variables":{"name":"B"}}

                {"email":"ok2@example.com","variables":{"name":"C"}}
                """);
        Run run = ctl("send", ndjson.toString(), "--subject", "Hi", "--text-file", dir.resolve("body.txt").toString(),
                "--timeout", "PT2M");
        assertThat(run.exit()).as(run.all()).isEqualTo(1);
        assertThat(run.out()).contains("3 recipients, status ACCEPTED").contains("failed 1")
                .contains("did not complete cleanly (COMPLETED, 1 failed)");
        Run dlq = ctl("dlq", "list", "--batch", batchId(run));
        assertThat(dlq.exit()).as(dlq.all()).isZero();
    }

    @Test
    void badInputIsExit2WithAPreciseMessage() throws Exception {
        templates();
        Path bad = dir.resolve("bad.ndjson");
        Files.writeString(bad, "{\"email\":\"a@example.com\"}\n{\"email\":\"b@example.com\"}\nnot json\n");
        Run badLine = ctl("send", bad.toString(), "--subject", "Hi", "--text-file", dir.resolve("body.txt").toString());
        assertThat(badLine.exit()).as(badLine.all()).isEqualTo(2);
        assertThat(badLine.err()).contains("line 3 of the recipient file: not a JSON object");

        Run noBody = ctl("send", bad.toString(), "--subject", "Hi");
        assertThat(noBody.exit()).isEqualTo(2);
        assertThat(noBody.err()).contains("give --html-file or --text-file");

        Run missing = ctl("send", dir.resolve("nope.csv").toString(), "--subject", "Hi", "--text-file", "x");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("no such file");

        Run noUrl = ctlWith(Map.of("HOME", dir.toString()), "batches");
        assertThat(noUrl.exit()).isEqualTo(2);
        assertThat(noUrl.err()).contains("no API URL: pass --url, set MAILER_URL");

        Run server400 = ctl("batches", "--status", "LOST");
        assertThat(server400.exit()).isEqualTo(1);
        assertThat(server400.err()).contains("GET /batches?status=LOST&limit=20 → HTTP 400");
    }

    @Test
    void suppressionsImportExportAddRemoveRoundTrip() throws Exception {
        Path csv = dir.resolve("suppressions.csv");
        Files.writeString(csv, "a-sup@example.com,MANUAL\nb-sup@example.com,BOUNCE\nc-sup@example.com\n");
        Run imported = ctl("suppressions", "import", csv.toString());
        assertThat(imported.exit()).as(imported.all()).isZero();
        assertThat(imported.out()).contains("imported 3");
        assertThat(ctl("suppressions", "add", "d-sup@example.com").exit()).isZero();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(ctl("suppressions", "export").out())
                .contains("a-sup@example.com", "b-sup@example.com", "c-sup@example.com", "d-sup@example.com"));
        Path exported = dir.resolve("export.csv");
        Run toFile = ctl("suppressions", "export", "--csv", "-o", exported.toString());
        assertThat(toFile.exit()).isZero();
        assertThat(Files.readString(exported)).contains("b-sup@example.com");

        // the exported file imports again (round trip)
        Path ndjson = dir.resolve("export.ndjson");
        assertThat(ctl("suppressions", "export", "-o", ndjson.toString()).exit()).isZero();
        Run reimport = ctl("suppressions", "import", ndjson.toString());
        assertThat(reimport.exit()).as(reimport.all()).isZero();

        assertThat(ctl("suppressions", "remove", "c-sup@example.com").exit()).isZero();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(ctl("suppressions", "export").out()).doesNotContain("c-sup@example.com").contains("a-sup@example.com"));
    }

    @Test
    void keysCreateListRevoke() {
        Run created = ctl("keys", "create", "--name", "cli-reader", "--scope", "read");
        assertThat(created.exit()).as(created.all()).isZero();
        String id = created.out().lines().filter(l -> l.startsWith("id:")).findFirst().orElseThrow().substring(4).strip();
        String key = created.out().lines().filter(l -> l.startsWith("key:")).findFirst().orElseThrow().substring(5).strip();
        Map<String, String> asReader = Map.of("MAILER_URL", url, "MAILER_API_KEY", key, "HOME", dir.toString());

        assertThat(ctlWith(asReader, "batches").exit()).isZero();
        assertThat(ctl("keys", "list").out()).contains(id).contains("cli-reader");
        assertThat(ctl("keys", "revoke", id).exit()).isZero();

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Run refused = ctlWith(asReader, "batches");
            assertThat(refused.exit()).isEqualTo(1);
            assertThat(refused.err()).contains("HTTP 401").contains("check --api-key");
        });
    }

    private static Run doctor() {
        // the sandbox answers the read-only SES, SNS and SQS calls of one account
        return ctl("doctor", "--region", "us-east-1", "--endpoint", stack.ses().endpoint(), "--configuration-set", "mailer", "--queue-url", stack.queueUrl(), "--identity", "dev@mailer.local");
    }

    @Test
    void doctorIsGreenOnACorrectAccountAndRedWithAFixOnBrokenOnes() {
        SandboxAccount account = stack.ses().account();
        String topic = stack.ses().config().topicArn();
        Run green = doctor();
        assertThat(green.exit()).as(green.all()).isZero();
        assertThat(green.out()).contains("OK    account: production access", "OK    account: sending",
                "OK    identity: dev@mailer.local", "OK    configuration set: mailer",
                "OK    SNS subscription: mailer-ses-events", "OK    queue policy: mailer-ses-events", "0 failed");

        // no event destination: SES events reach nobody
        account.replaceEventDestinations("mailer");
        Run noDestination = doctor();
        assertThat(noDestination.exit()).isEqualTo(1);
        assertThat(noDestination.out()).contains("FAIL  configuration set: mailer", "no enabled SNS event destination",
                "fix: aws sesv2 create-configuration-set-event-destination --configuration-set-name mailer");

        // bounces not published
        account.replaceEventDestinations("mailer", new SandboxAccount.EventDestination("d", true, List.of("SEND", "DELIVERY"), topic));
        assertThat(doctor().out()).contains("FAIL  configuration set: mailer", "BOUNCE,COMPLAINT not published");
        account.replaceEventDestinations("mailer", new SandboxAccount.EventDestination("d", true, SandboxAccount.ALL_EVENT_TYPES, topic));

        // an unverified identity and one without DKIM (the batch's From comes from the API's recent batches)
        account.verifyUnlisted(false).identity("dev@mailer.local", false, "PENDING").identity("example.com", true, "FAILED");
        Run identities = doctor();
        assertThat(identities.exit()).isEqualTo(1);
        assertThat(identities.out()).contains("FAIL  identity: dev@mailer.local", "not verified",
                "fix: finish the verification of mailer.local");
        account.verifyUnlisted(true).identity("dev@mailer.local", true, "SUCCESS").identity("example.com", true, "SUCCESS");

        // the topic no longer delivers to the queue
        var subscriptions = account.subscriptions(topic);
        account.unsubscribeAll(topic);
        Run noSubscription = doctor();
        assertThat(noSubscription.exit()).isEqualTo(1);
        assertThat(noSubscription.out()).contains("FAIL  SNS subscription: mailer-ses-events",
                "fix: aws sns subscribe --topic-arn " + topic + " --protocol sqs --notification-endpoint arn:aws:sqs:");
        subscriptions.forEach(s -> account.subscribe(topic, s));

        // a queue policy for another topic
        String queueArn = stack.sqs().queueArn(stack.queueUrl());
        account.queue(stack.queueUrl(), queueArn, SandboxAccount.snsPolicy(queueArn, "arn:aws:sns:us-east-1:000000000000:someone-else"));
        Run policy = doctor();
        assertThat(policy.exit()).isEqualTo(1);
        assertThat(policy.out()).contains("FAIL  queue policy: mailer-ses-events", "does not let " + topic + " send",
                "fix: aws sqs set-queue-attributes --queue-url " + stack.queueUrl());
        account.queue(stack.queueUrl(), queueArn, null);
        assertThat(doctor().out()).contains("FAIL  queue policy: mailer-ses-events", "no policy: SNS cannot deliver to the queue");
        account.queue(stack.queueUrl(), queueArn, SandboxAccount.snsPolicy(queueArn, topic));

        // sending paused and no production access
        stack.ses().sendingPaused(true);
        account.productionAccess(false);
        Run account1 = doctor();
        stack.ses().sendingPaused(false);
        account.productionAccess(true);
        assertThat(account1.exit()).isEqualTo(1);
        assertThat(account1.out()).contains("FAIL  account: production access", "FAIL  account: sending",
                "fix: aws sesv2 put-account-sending-attributes --sending-enabled");
        assertThat(doctor().exit()).isZero();
    }
}
