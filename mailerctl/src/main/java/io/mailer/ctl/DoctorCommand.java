package io.mailer.ctl;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

/**
 * Read-only checks of the AWS account Mailer sends through, each printed with a fix: the SES
 * account, the From identities of recent batches (and --identity), the configuration set's event
 * destinations, the SNS subscription to the queue and the queue policy.
 */
@Command(name = "doctor", description = "Check the AWS setup (read-only): SES account, identities, configuration set, SNS → SQS.")
final class DoctorCommand extends ApiCommand {

    private static final Pattern ADDRESS = Pattern.compile("<([^>]+)>\\s*$");

    @Option(names = "--region", description = "AWS region (env AWS_REGION).")
    String region;

    @Option(names = "--endpoint", description = "One endpoint for SES, SNS and SQS (an emulator such as the devstack sandbox).")
    String endpoint;

    @Option(names = "--ses-endpoint", description = "SES endpoint (env SES_ENDPOINT).")
    String sesEndpoint;

    @Option(names = "--sns-endpoint", description = "SNS endpoint.")
    String snsEndpoint;

    @Option(names = "--sqs-endpoint", description = "SQS endpoint (env SQS_ENDPOINT).")
    String sqsEndpoint;

    @Option(names = "--configuration-set", description = "Configuration set (env SES_CONFIGURATION_SET).")
    String configurationSet;

    @Option(names = "--queue-url", description = "The queue SNS delivers SES events to (env SQS_QUEUE_URL).")
    String queueUrl;

    @Option(names = "--topic-arn", description = "SNS topic(s) to check besides the configuration set's.")
    List<String> topicArns = new ArrayList<>();

    @Option(names = "--identity", description = "From address or domain to check (repeatable); "
            + "the From of recent batches are added when the API is configured.")
    List<String> identities = new ArrayList<>();

    @Option(names = "--batches", defaultValue = "20", description = "Recent batches whose From to check (default ${DEFAULT-VALUE}; 0: none).")
    int batches;

    @Override
    public Integer call() {
        var env = root().env;
        String r = Config.first(region, env.get("AWS_REGION"), env.get("AWS_DEFAULT_REGION"));
        if (r == null) {
            throw new Failures.BadInput("no AWS region: pass --region or set AWS_REGION");
        }
        String cs = Config.first(configurationSet, env.get("SES_CONFIGURATION_SET"));
        String queue = Config.first(queueUrl, env.get("SQS_QUEUE_URL"));
        out().printf("mailerctl doctor — region %s%n%n", r);
        List<Check> checks = new ArrayList<>();
        try (AwsClients aws = AwsClients.create(r, Config.first(sesEndpoint, endpoint, env.get("SES_ENDPOINT")),
                Config.first(snsEndpoint, endpoint), Config.first(sqsEndpoint, endpoint, env.get("SQS_ENDPOINT")))) {
            SesChecks ses = new SesChecks(aws.ses());
            run(checks, () -> ses.account());
            for (String identity : identities()) {
                run(checks, () -> List.of(ses.identity(identity)));
            }
            EventPathChecks path = new EventPathChecks(aws);
            Set<String> topics = new LinkedHashSet<>(topicArns);
            if (cs == null) {
                report(checks, Check.warn("configuration set", "none given: SES publishes no events and bounces are never suppressed",
                        "pass --configuration-set (the service's SES_CONFIGURATION_SET)"));
            } else {
                run(checks, () -> List.of(path.configurationSet(cs, topics)));
            }
            if (queue == null) {
                report(checks, Check.warn("queue", "no --queue-url (SQS_QUEUE_URL): subscription and policy not checked",
                        "pass --queue-url"));
            } else if (!topics.isEmpty()) {
                String queueArn = path.queueArn(queue);
                for (String topic : topics) {
                    run(checks, () -> List.of(path.subscription(topic, queueArn)));
                }
                run(checks, () -> List.of(path.queuePolicy(queue, queueArn, topics)));
            }
        }
        return Check.summarize(checks, out());
    }

    /** A check that throws (access denied, no network) is a failed check, not the end of the run. */
    private void run(List<Check> checks, java.util.function.Supplier<List<Check>> check) {
        try {
            check.get().forEach(c -> report(checks, c));
        } catch (RuntimeException e) {
            if (String.valueOf(e.getMessage()).startsWith("Unable to load credentials")) {
                // every further call would fail the same way: one message, not one per check
                throw new Failures.BadInput("no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or AWS_PROFILE, "
                        + "or run where an IAM role is available (with --endpoint, an emulator: any value will do)");
            }
            report(checks, Check.fail("AWS call", String.valueOf(e.getMessage()),
                    "check credentials, region and the IAM permissions ses:GetAccount, ses:GetEmailIdentity, "
                            + "ses:GetConfigurationSetEventDestinations, sns:ListSubscriptionsByTopic, "
                            + "sns:GetSubscriptionAttributes, sqs:GetQueueAttributes"));
        }
    }

    private void report(List<Check> checks, Check c) {
        checks.add(c);
        c.print(out());
        out().flush();
    }

    /** --identity values plus the From addresses of recent batches (when the API is configured). */
    private Set<String> identities() {
        Set<String> all = new LinkedHashSet<>(identities);
        if (batches <= 0) {
            return all;
        }
        Config config;
        try {
            config = root().config();
        } catch (Failures.BadInput e) {
            out().println("(API not configured: only --identity values are checked)");
            return all;
        }
        JsonNode page = new Api(config).get("/batches" + Paths.query("limit", Integer.toString(Math.min(batches, 1000))));
        for (JsonNode b : page.path("items")) {
            String from = Json.text(b, "from");
            if (!from.isEmpty()) {
                Matcher m = ADDRESS.matcher(from);
                all.add((m.find() ? m.group(1) : from).strip().toLowerCase(java.util.Locale.ROOT));
            }
        }
        if (all.isEmpty()) {
            out().println("(no identity to check: recent batches use the service's MAIL_FROM; pass --identity)");
        }
        return all;
    }
}
