package io.mailer.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

class EmbeddedSqsTest {

    @Test
    void shouldReceiveWhatWasSentThroughTheSdk() {
        try (EmbeddedSqs sqs = EmbeddedSqs.start(); SqsClient client = EmbeddedSqs.newClient(sqs.endpoint())) {
            // Given a queue whose URL points at the embedded server
            String queueUrl = sqs.createQueue("it-queue");
            assertThat(queueUrl).isEqualTo(sqs.endpoint() + "/" + EmbeddedSqs.ACCOUNT_ID + "/it-queue");

            // When a message is sent
            client.sendMessage(b -> b.queueUrl(queueUrl).messageBody("{\"hello\":\"world\"}"));

            // Then it is received once and can be deleted
            List<Message> messages = client.receiveMessage(b -> b.queueUrl(queueUrl).waitTimeSeconds(5).maxNumberOfMessages(10)).messages();
            assertThat(messages).extracting(Message::body).containsExactly("{\"hello\":\"world\"}");
            client.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(messages.get(0).receiptHandle()));
            assertThat(client.receiveMessage(b -> b.queueUrl(queueUrl).waitTimeSeconds(1)).messages()).isEmpty();
            // Creating it again returns the same URL
            assertThat(sqs.createQueue("it-queue")).isEqualTo(queueUrl);
        }
    }
}
