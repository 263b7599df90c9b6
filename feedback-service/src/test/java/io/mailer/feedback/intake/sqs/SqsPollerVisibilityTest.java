package io.mailer.feedback.intake.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailer.feedback.intake.IntakeMetrics;
import io.mailer.feedback.intake.IntakeProperties;
import io.mailer.feedback.support.FeedbackStack;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The poller against ElasticMQ with a handler that takes much longer than the visibility timeout
 * (as when Kafka is slow to ack): the message stays invisible to other consumers all along, is
 * handled once, and is deleted only once the handler completes.
 */
class SqsPollerVisibilityTest {

    @Test
    void shouldExtendVisibilityWhileAMessageIsInWorkAndDeleteItOnlyAfterwards() {
        FeedbackStack stack = FeedbackStack.get();
        SqsClient sqs = stack.sqs();
        String queueUrl = PollerFixtures.queue("visibility-");
        IntakeProperties properties = PollerFixtures.properties(queueUrl, 1, 1, Duration.ofSeconds(2), 200);
        PollerFixtures.Holding slow = new PollerFixtures.Holding();
        List<String> handled = slow.received;
        List<CompletableFuture<SqsMessageHandler.Settlement>> inWork = slow.held;
        SqsClients client = SqsClients.create(properties);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SqsPoller poller = new SqsPoller(client, properties, slow, new IntakeMetrics(registry));
        try {
            sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody("slow-1"));
            poller.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> !inWork.isEmpty());

            // Given the handler holds the message for 3 visibility timeouts, when another consumer
            // polls meanwhile, then it never sees the message
            List<Message> stolen = new ArrayList<>();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
            while (System.nanoTime() < until) {
                stolen.addAll(sqs.receiveMessage(b -> b.queueUrl(queueUrl).waitTimeSeconds(1)
                        .visibilityTimeout(0)).messages());
            }
            assertThat(stolen).isEmpty();
            assertThat(inflight(sqs, queueUrl)).isEqualTo(1);
            assertThat(registry.counter("mailer.feedback.visibility.extended").count()).isGreaterThanOrEqualTo(6);

            // When the handler completes, then the message is deleted, having been handled once
            inWork.get(0).complete(SqsMessageHandler.Settlement.DELETE);
            await().atMost(Duration.ofSeconds(60)).until(() -> inflight(sqs, queueUrl) == 0
                    && visible(sqs, queueUrl) == 0);
            assertThat(handled).containsExactly("slow-1");
        } finally {
            poller.stop();
            client.close();
        }
    }

    private static int inflight(SqsClient sqs, String queueUrl) {
        return attribute(sqs, queueUrl, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE);
    }

    private static int visible(SqsClient sqs, String queueUrl) {
        return attribute(sqs, queueUrl, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES);
    }

    private static int attribute(SqsClient sqs, String queueUrl, QueueAttributeName name) {
        return Integer.parseInt(sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(name))
                .attributes().get(name));
    }
}
