package io.mailer.feedback.intake.sqs;

import io.mailer.feedback.intake.IntakeProperties;
import io.mailer.feedback.intake.sqs.SqsMessageHandler.Settlement;
import io.mailer.feedback.support.FeedbackStack;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.services.sqs.model.Message;

/** What the SqsPoller tests share: a fresh ElasticMQ queue, intake settings, a handler that holds messages. */
final class PollerFixtures {

    private PollerFixtures() {
    }

    static String queue(String prefix) {
        return FeedbackStack.get().devStack().sqs().createQueue(prefix + UUID.randomUUID());
    }

    /** Intake settings against the shared ElasticMQ: batches of 10, no signature check, the rest as given. */
    static IntakeProperties properties(String queueUrl, int waitSeconds, int pollers, Duration visibility,
            int maxInFlight) {
        return new IntakeProperties(queueUrl, URI.create(FeedbackStack.get().devStack().sqs().endpoint()),
                "us-east-1", waitSeconds, 10, pollers, false, List.of(), Duration.ofSeconds(30), true,
                visibility, 3, Duration.ofDays(7), Duration.ofMinutes(15), maxInFlight);
    }

    /** A handler that records each body and settles nothing until the test completes its future (Kafka not acking). */
    static final class Holding implements SqsMessageHandler {
        final List<String> received = new CopyOnWriteArrayList<>();
        final List<CompletableFuture<Settlement>> held = new CopyOnWriteArrayList<>();

        @Override
        public CompletableFuture<Settlement> handle(Message m) {
            received.add(m.body());
            CompletableFuture<Settlement> f = new CompletableFuture<>();
            held.add(f);
            return f;
        }

        void settleAll() {
            held.forEach(f -> f.complete(Settlement.DELETE));
        }
    }
}
