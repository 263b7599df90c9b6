package io.mailer.devstack.launcher;

import io.mailer.devstack.DevStack;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * One command runs everything locally: embedded Kafka, PostgreSQL, ElasticMQ and the SES sandbox,
 * then the four services in this JVM. Data stays in {@code MAILER_DATA_DIR} (default
 * {@code ./.mailer}) between runs. Ctrl-C stops the services gracefully, then the infrastructure.
 */
public final class LocalMailer {

    static final int KAFKA_PORT = 9092;
    static final int POSTGRES_PORT = 5433;
    static final int SQS_PORT = 9324;
    static final int SES_PORT = 4566;

    private LocalMailer() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path dataDir = Path.of(System.getenv().getOrDefault("MAILER_DATA_DIR", ".mailer")).toAbsolutePath();
        System.out.println("Mailer local run — data in " + dataDir);
        DevStack stack = DevStack.start(DevStack.Options.defaults()
                .dataDir(dataDir)
                .ports(KAFKA_PORT, POSTGRES_PORT, SQS_PORT, SES_PORT));
        MailerServices services;
        try {
            services = MailerServices.start(stack.env(), MailerServices.Ports.LOCAL);
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("Stopping Mailer...");
            services.close();
            stack.close();
            stopped.countDown();
        }, "mailer-shutdown"));
        printWelcome(stack.env(), services.ingressPort(), stack.ses().endpoint());
        stopped.await();
    }

    private static void printWelcome(Map<String, String> env, int port, String sesEndpoint) {
        String api = "http://localhost:" + port;
        String key = env.get("MAILER_BOOTSTRAP_ADMIN_KEY");
        System.out.println("""

                ============================================================================
                 Mailer is running.
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
                ============================================================================
                """.formatted(api, key, sesEndpoint, KAFKA_PORT, env.get("DATABASE_URL")));
    }
}
