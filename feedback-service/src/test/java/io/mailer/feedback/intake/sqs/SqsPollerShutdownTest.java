package io.mailer.feedback.intake.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailer.feedback.intake.IntakeMetrics;
import io.mailer.feedback.intake.IntakeProperties;
import io.mailer.feedback.support.FeedbackStack;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Shutdown of the poller on the blocking SQS client: outstanding 20 s long polls are cancelled, so
 * stop() does not wait for them, yet a message still in work is finished and deleted first.
 */
class SqsPollerShutdownTest {

    @Test
    void shouldCancelOutstandingLongPollsAtStop() {
        // Given 3 pollers blocked in 20 s long polls on an empty queue
        String queueUrl = queue("shutdown-idle-");
        // a long poll cancelled by the client may still be served by the queue, which then hides the
        // message it handed out for the visibility timeout: short here, so the restart sees it soon
        IntakeProperties properties = properties(queueUrl, 3, Duration.ofSeconds(2));
        List<String> handled = new CopyOnWriteArrayList<>();
        try (SqsClients clients = SqsClients.create(properties)) {
            SqsPoller poller = new SqsPoller(clients, properties, m -> {
                handled.add(m.body());
                return CompletableFuture.completedFuture(SqsMessageHandler.Settlement.DELETE);
            }, new IntakeMetrics(new SimpleMeterRegistry()));
            poller.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> clients.receivesInProgress() == 3);

            // When the poller stops, then it returns well before the long polls would end
            long t0 = System.nanoTime();
            poller.stop();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
            assertThat(poller.isRunning()).isFalse();

            // and after a restart it receives again (the cancellation does not outlive the stop)
            sqs().sendMessage(b -> b.queueUrl(queueUrl).messageBody("after-restart"));
            poller.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> !handled.isEmpty());
            poller.stop();
            assertThat(handled).containsExactly("after-restart");
            await().atMost(Duration.ofSeconds(60)).until(() -> attribute(queueUrl,
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE) == 0);
        }
    }

    @Test
    void shouldFinishAndDeleteAMessageInWorkBeforeStopReturns() {
        // Given a message whose Kafka acks are still outstanding
        String queueUrl = queue("shutdown-busy-");
        IntakeProperties properties = properties(queueUrl, 2, Duration.ofSeconds(30));
        List<CompletableFuture<SqsMessageHandler.Settlement>> inWork = new CopyOnWriteArrayList<>();
        ScheduledExecutorService acks = Executors.newSingleThreadScheduledExecutor();
        try (SqsClients clients = SqsClients.create(properties)) {
            SqsPoller poller = new SqsPoller(clients, properties, (Message m) -> {
                CompletableFuture<SqsMessageHandler.Settlement> f = new CompletableFuture<>();
                inWork.add(f);
                return f;
            }, new IntakeMetrics(new SimpleMeterRegistry()));
            sqs().sendMessage(b -> b.queueUrl(queueUrl).messageBody("busy-1"));
            poller.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> !inWork.isEmpty());

            // When the poller stops while the acks arrive 2 s later
            acks.schedule(() -> inWork.get(0).complete(SqsMessageHandler.Settlement.DELETE), 2, TimeUnit.SECONDS);
            poller.stop();

            // Then stop() returned only once the message was acknowledged, and it was deleted
            assertThat(inWork.get(0)).isDone();
            assertThat(attribute(queueUrl, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)
                    + attribute(queueUrl, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).isZero();
        } finally {
            acks.shutdownNow();
        }
    }

    /** 20 s long polls, as in production. */
    private static IntakeProperties properties(String queueUrl, int pollers, Duration visibility) {
        return PollerFixtures.properties(queueUrl, 20, pollers, visibility, 200);
    }

    private static String queue(String prefix) {
        return PollerFixtures.queue(prefix);
    }

    private static SqsClient sqs() {
        return FeedbackStack.get().sqs();
    }

    private static int attribute(String queueUrl, QueueAttributeName name) {
        return Integer.parseInt(sqs().getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(name))
                .attributes().get(name));
    }
}
