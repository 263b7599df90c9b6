package io.mailer.feedback.intake.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailer.feedback.intake.IntakeMetrics;
import io.mailer.feedback.intake.IntakeProperties;
import io.mailer.feedback.intake.sqs.SqsMessageHandler.Settlement;
import io.mailer.feedback.support.FeedbackStack;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * A message the handler settles as {@code Keep} (e.g. its SENT record not projected yet) is not
 * deleted: SQS hands it out again after the visibility timeout, and a later DELETE removes it.
 */
class SqsPollerKeepTest {

    @Test
    void shouldLeaveAKeptMessageForRedeliveryAndDeleteItOnceSettledForGood() {
        String queueUrl = PollerFixtures.queue("keep-");
        IntakeProperties properties = PollerFixtures.properties(queueUrl, 1, 1, Duration.ofSeconds(1), 200);
        List<String> handled = new CopyOnWriteArrayList<>();
        try (SqsClients clients = SqsClients.create(properties)) {
            SqsPoller poller = new SqsPoller(clients, properties, m -> {
                handled.add(m.body());
                return CompletableFuture.completedFuture(handled.size() == 1
                        ? new Settlement.Keep("not projected yet") : Settlement.DELETE);
            }, new IntakeMetrics(new SimpleMeterRegistry()));
            FeedbackStack.get().sqs().sendMessage(b -> b.queueUrl(queueUrl).messageBody("kept-1"));
            poller.start();
            try {
                // Then it is handled twice (kept, then redelivered) and gone from the queue afterwards
                await().atMost(Duration.ofSeconds(60)).until(() -> handled.size() >= 2 && queued(queueUrl) == 0);
            } finally {
                poller.stop();
            }
            assertThat(handled).containsExactly("kept-1", "kept-1");
        }
    }

    private static int queued(String queueUrl) {
        var attributes = FeedbackStack.get().sqs().getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Integer.parseInt(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }
}
