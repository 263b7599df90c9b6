package io.mailer.feedback.intake.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mailer.feedback.intake.IntakeMetrics;
import io.mailer.feedback.intake.IntakeProperties;
import io.mailer.feedback.support.FeedbackStack;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * SQS_MAX_IN_FLIGHT against ElasticMQ: with the handler holding every message (Kafka not acking),
 * the pollers stop receiving at the limit, the gauge shows the limit and the wait is counted; once
 * the held messages settle, the rest of the queue is received.
 */
class SqsPollerBackPressureTest {

    @Test
    void shouldStopReceivingAtTheInFlightLimitAndCountTheWait() {
        FeedbackStack stack = FeedbackStack.get();
        String queueUrl = PollerFixtures.queue("back-pressure-");
        // two pollers, batches of 10, at most 20 messages in flight
        IntakeProperties properties = PollerFixtures.properties(queueUrl, 1, 2, Duration.ofSeconds(30), 20);
        PollerFixtures.Holding holding = new PollerFixtures.Holding();
        List<String> received = holding.received;
        SqsClients client = SqsClients.create(properties);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SqsPoller poller = new SqsPoller(client, properties, holding, new IntakeMetrics(registry));
        try {
            for (int from = 0; from < 50; from += 10) {
                int start = from;
                stack.sqs().sendMessageBatch(b -> b.queueUrl(queueUrl).entries(IntStream.range(start, start + 10)
                        .mapToObj(i -> SendMessageBatchRequestEntry.builder()
                                .id("m" + i).messageBody("held-" + i).build()).toList()));
            }

            // Given 50 queued messages and a handler that settles none of them
            poller.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> received.size() >= 20);

            // Then the pollers stop at 20 in flight and wait, and the wait is counted
            await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> true);
            assertThat(received).hasSize(20);
            assertThat(registry.get("mailer.feedback.in.flight").gauge().value()).isEqualTo(20);
            assertThat(registry.get("mailer.feedback.poller.room.wait").functionCounter().count())
                    .isGreaterThan(1.0);

            // When the held messages settle, then the rest is received, and nothing is in flight at the end
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                holding.settleAll();
                return received.size() == 50 && registry.get("mailer.feedback.in.flight").gauge().value() == 0;
            });
            assertThat(received).doesNotHaveDuplicates();
        } finally {
            holding.settleAll();
            poller.stop();
            client.close();
        }
    }
}
