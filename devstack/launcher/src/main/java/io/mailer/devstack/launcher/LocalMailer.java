package io.mailer.devstack.launcher;

import io.mailer.devstack.DevStack;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * One command runs everything locally: embedded Kafka, PostgreSQL, ElasticMQ and the SES sandbox,
 * then the five services in this JVM. Data stays in {@code MAILER_DATA_DIR} (default
 * {@code ./.mailer}) between runs. The console shows a progress list and the banner; service logs
 * go to {@code .mailer/mailer.log} ({@code --verbose}: to the console too). Ctrl-C stops the services
 * gracefully, then the infrastructure.
 */
public final class LocalMailer {

    static final int KAFKA_PORT = 9092;
    static final int POSTGRES_PORT = 5433;
    static final int SQS_PORT = 9324;
    static final int SES_PORT = 4566;
    static final int WEBHOOK_INBOX_PORT = 4580;

    private LocalMailer() {
    }

    public static void main(String[] args) throws Exception {
        boolean verbose = false;
        for (String arg : args) {
            if (arg.equals("--verbose") || arg.equals("-v")) {
                verbose = true;
            } else {
                System.err.println("Unknown option " + arg + ". Usage: ./devstack/run.sh [--verbose]");
                System.exit(2);
            }
        }
        Path dataDir = Path.of(System.getenv().getOrDefault("MAILER_DATA_DIR", ".mailer")).toAbsolutePath();
        Path logFile = quietLogging(dataDir, verbose);
        System.out.println("Mailer local run — data in " + dataDir);
        System.out.println("  full log: " + logFile + (verbose ? "" : " (./devstack/run.sh --verbose shows it here)"));
        Steps steps = new Steps();
        Running running = new Running();
        CountDownLatch stopped = new CountDownLatch(1);
        // the only shutdown hook (Spring's and PostgreSQL's are off): services first, then what they
        // use, so no client is left retrying a broker or database that is already gone. Registered
        // before anything starts, so a Ctrl-C during the start stops what has started.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println();
            System.out.println("Stopping Mailer...");
            long t0 = System.nanoTime();
            running.close(steps);
            System.out.printf("Stopped in %.1f s.%n", (System.nanoTime() - t0) / 1e9);
            System.out.flush();
            stopped.countDown();
        }, "mailer-shutdown"));
        try {
            start(running, dataDir, steps);
        } catch (RuntimeException e) {
            // the broker's threads would keep the JVM alive; exiting runs the hook, which stops
            // whatever had started
            System.err.println("Mailer did not start: " + e);
            e.printStackTrace();
            System.exit(1);
        }
        stopped.await();
    }

    private static void start(Running running, Path dataDir, Steps steps) {
        DevStack stack = running.stack(steps.step("Kafka, PostgreSQL, SQS, SES sandbox", () -> DevStack.start(
                DevStack.Options.defaults()
                        .dataDir(dataDir)
                        .ports(KAFKA_PORT, POSTGRES_PORT, SQS_PORT, SES_PORT)
                        // the hook in main stops PostgreSQL, after the services that use it
                        .shutdownHooks(false))));
        // the infrastructure logged through it; Spring reads logging.config and warns about this one
        System.clearProperty("logback.configurationFile");
        WebhookInbox inbox;
        try {
            inbox = running.inbox(new WebhookInbox(WEBHOOK_INBOX_PORT));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("Cannot open the webhook inbox on port " + WEBHOOK_INBOX_PORT, e);
        }
        Map<String, String> env = localEnv(stack.env());
        MailerServices services = running.services(MailerServices.start(env, MailerServices.Ports.LOCAL, steps));
        printWelcome(env, services.ingressPort(), stack.ses().endpoint(), inbox.url());
    }

    /** What has started so far, stopped in reverse: services, webhook inbox, infrastructure. */
    static final class Running {
        private volatile DevStack stack;
        private volatile WebhookInbox inbox;
        private volatile MailerServices services;

        DevStack stack(DevStack started) {
            stack = started;
            return started;
        }

        WebhookInbox inbox(WebhookInbox started) {
            inbox = started;
            return started;
        }

        MailerServices services(MailerServices started) {
            services = started;
            return started;
        }

        void close(Steps steps) {
            if (services != null) {
                services.close(steps);
            }
            if (inbox != null) {
                inbox.close();
            }
            if (stack != null) {
                steps.step("Kafka, PostgreSQL, SQS, SES sandbox", () -> {
                    stack.close();
                    return null;
                });
            }
        }
    }

    /**
     * Service logs go to {@code <data>/mailer.log} (truncated per run) and only warnings to the
     * console, unless verbose. Set before any logger exists: the broker logs as soon as it is loaded,
     * and each Spring context reloads the configuration named by {@code logging.config}.
     */
    static Path quietLogging(Path dataDir, boolean verbose) throws java.io.IOException {
        Path logFile = dataDir.resolve("mailer.log");
        java.nio.file.Files.createDirectories(dataDir);
        java.nio.file.Files.deleteIfExists(logFile);
        System.setProperty("mailer.log.file", logFile.toString());
        System.setProperty("mailer.console.level", verbose ? "ALL" : "WARN");
        System.setProperty("mailer.console.library.level", verbose ? "ALL" : "ERROR");
        System.setProperty("logback.configurationFile", "mailer-local-logback.xml");
        System.setProperty("logging.config", "classpath:mailer-local-logback.xml");
        // Spring registers a shutdown hook per context (and one that stops Logback); they would close
        // the services in parallel with the infrastructure and silence the log of the shutdown.
        // LocalMailer's hook closes everything in order instead.
        System.setProperty("spring.main.register-shutdown-hook", "false");
        System.setProperty("logging.register-shutdown-hook", "false");
        System.setProperty("spring.main.banner-mode", "off");
        // Reactor Netty's event loops wait for 2 s without new tasks before they stop, once per
        // service; their HTTP servers have already drained their requests (server.shutdown graceful)
        System.setProperty("spring.reactor.netty.shutdown-quiet-period", "0s");
        return logFile;
    }

    /** The progress list: one line per step with its duration. */
    static final class Steps implements MailerServices.Steps {
        // created after quietLogging (first use), and also in the full log to time its lines
        private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(LocalMailer.class);

        @Override
        public <T> T step(String label, java.util.function.Supplier<T> action) {
            System.out.printf("  %-50s", label + " ...");
            System.out.flush();
            log.info("{} ...", label);
            long t0 = System.nanoTime();
            T result = action.get();
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf(" %5.1f s%n", seconds);
            log.info("{}: {} s", label, String.format("%.1f", seconds));
            return result;
        }
    }

    /**
     * A local run is an operator's own machine: webhooks may use http:// and reach receivers on this
     * machine (loopback), which production refuses (https only, public addresses only).
     */
    static Map<String, String> localEnv(Map<String, String> stackEnv) {
        Map<String, String> env = new java.util.LinkedHashMap<>(stackEnv);
        env.putIfAbsent("WEBHOOK_ALLOW_HTTP", "true");
        env.putIfAbsent("WEBHOOK_ALLOWED_NETWORKS", "127.0.0.0/8,::1/128");
        return env;
    }

    private static void printWelcome(Map<String, String> env, int port, String sesEndpoint, String inbox) {
        String api = "http://localhost:" + port;
        String key = env.get("MAILER_BOOTSTRAP_ADMIN_KEY");
        System.out.println("""

                ============================================================================
                 Mailer is running. Ctrl-C stops it.
                   API:          %1$s/api/v1   (health: %1$s/api/v1/health)
                   Admin key:    %2$s
                   SES sandbox:  %3$s/_sandbox/messages (every message it "sent")
                   Kafka:        localhost:%4$d    PostgreSQL: %5$s

                 Send a batch (success, bounce and complaint simulator addresses + two others):

                curl -s -X POST %1$s/api/v1/batches \\
                  -H 'Authorization: Bearer %2$s' -H 'Content-Type: application/json' \\
                  -d '{"from":"Mailer Dev <dev@mailer.local>","subject":"Hello {{name}}",
                       "html":"<p>Hi {{name}}!</p>","text":"Hi {{name}}!",
                       "recipients":[
                         {"email":"success@simulator.amazonses.com","variables":{"name":"Success"}},
                         {"email":"bounce@simulator.amazonses.com","variables":{"name":"Bounce"}},
                         {"email":"complaint@simulator.amazonses.com","variables":{"name":"Complaint"}},
                         {"email":"ann@example.com","variables":{"name":"Ann"}},
                         {"email":"bob@example.com","variables":{"name":"Bob"}}]}'

                 Then, with the id it returns:
                curl -s %1$s/api/v1/batches/<id> -H 'Authorization: Bearer %2$s'

                 Webhooks: point one at the local inbox (%6$s; GET it to see what arrived) or at
                 your own receiver on this machine — http and localhost are allowed in the local run
                 only (WEBHOOK_ALLOW_HTTP, WEBHOOK_ALLOWED_NETWORKS; production: https, public hosts):
                curl -s -X POST %1$s/api/v1/webhooks -H 'Authorization: Bearer %2$s' \\
                  -H 'Content-Type: application/json' \\
                  -d '{"url":"%6$s/mine","events":["SENT","DELIVERED","BOUNCED","COMPLAINED"]}'
                 It answers the signing secret (whsec_...) once. Then send a batch and: curl -s %6$s
                ============================================================================
                """.formatted(api, key, sesEndpoint, KAFKA_PORT, env.get("DATABASE_URL"), inbox));
    }
}
