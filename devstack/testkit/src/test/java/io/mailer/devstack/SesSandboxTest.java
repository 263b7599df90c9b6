package io.mailer.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sesv2.SesV2AsyncClient;
import software.amazon.awssdk.services.sesv2.SesV2Client;
import software.amazon.awssdk.services.sesv2.model.BulkEmailEntryResult;
import software.amazon.awssdk.services.sesv2.model.BulkEmailStatus;
import software.amazon.awssdk.services.sesv2.model.GetAccountResponse;
import software.amazon.awssdk.services.sesv2.model.MessageRejectedException;
import software.amazon.awssdk.services.sesv2.model.SendBulkEmailRequest;
import software.amazon.awssdk.services.sesv2.model.SendEmailRequest;
import software.amazon.awssdk.services.sesv2.model.SendingPausedException;
import software.amazon.awssdk.services.sesv2.model.SesV2Exception;
import software.amazon.awssdk.services.sesv2.model.TooManyRequestsException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The sandbox through the real AWS SDK v2 clients, with events read back from ElasticMQ. */
class SesSandboxTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static DevStack stack;
    private static SesV2Client ses;
    private static SqsClient sqs;

    @BeforeAll
    static void startStack() {
        stack = DevStack.start(DevStack.Options.defaults().kafka(false).postgres(false));
        ses = SesV2Client.builder()
                .endpointOverride(URI.create(stack.env().get("SES_ENDPOINT")))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                // The faults must reach the test as they are, not after the SDK's own retries.
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
        sqs = EmbeddedSqs.newClient(stack.sqs().endpoint());
    }

    @AfterAll
    static void stopStack() {
        sqs.close();
        ses.close();
        stack.close();
    }

    @BeforeEach
    void clean() {
        // Events of the previous test's sends must not land in this test's queue.
        await().atMost(Duration.ofSeconds(30)).until(() -> stack.ses().pendingEvents() == 0);
        stack.ses().reset();
        drainQueue();
    }

    @Test
    void shouldRecordTheMessageAndPublishAnSnsWrappedPermanentBounceForTheBounceSimulator() throws Exception {
        Instant before = Instant.now();
        // When a message with tags, headers and a configuration set goes to the bounce simulator
        String messageId = ses.sendEmail(email("bounce+case1@simulator.amazonses.com")).messageId();

        // Then the sandbox recorded the whole message
        assertThat(stack.ses().sent()).hasSize(1);
        SesSandbox.SentMessage sent = stack.ses().sent().get(0);
        assertThat(sent).usingRecursiveComparison().ignoringFields("receivedAt").isEqualTo(new SesSandbox.SentMessage(
                messageId, "Mailer Dev <dev@mailer.local>", List.of("bounce+case1@simulator.amazonses.com"),
                "Hello Ada", "<p>Hi Ada</p>", "Hi Ada",
                Map.of("X-Mailer-Send-Id", "b1-0", "List-Unsubscribe", "<http://localhost:3000/u/t>"),
                Map.of("mailer_send_id", "b1-0", "mailer_batch_id", "b1", "mailer_tenant", "default"),
                "mailer-events", Instant.EPOCH, List.of("reply@mailer.local"), List.of(), List.of()));
        assertThat(sent.receivedAt()).isAfterOrEqualTo(before);

        // And the SQS queue receives one SNS envelope whose Message is the SES Bounce event
        List<JsonNode> envelopes = receive(1);
        JsonNode envelope = envelopes.get(0);
        assertThat(envelope.path("Type").asString()).isEqualTo("Notification");
        assertThat(envelope.path("TopicArn").asString()).isEqualTo("arn:aws:sns:us-east-1:000000000000:mailer-ses-events");
        assertThat(envelope.path("MessageId").asString()).hasSize(36);
        assertThat(envelope.path("SignatureVersion").asString()).isEqualTo("1");
        assertThat(Instant.parse(envelope.path("Timestamp").asString())).isAfterOrEqualTo(before.minusMillis(1));
        assertThat(envelope.has("Signature")).isTrue();
        assertThat(envelope.path("SigningCertURL").asString()).startsWith("https://sns.us-east-1.amazonaws.com/");
        assertThat(envelope.path("UnsubscribeURL").asString()).startsWith("https://sns.us-east-1.amazonaws.com/");

        JsonNode event = JSON.readTree(envelope.path("Message").asString());
        assertThat(event.path("eventType").asString()).isEqualTo("Bounce");
        JsonNode bounce = event.path("bounce");
        assertThat(bounce.path("bounceType").asString()).isEqualTo("Permanent");
        assertThat(bounce.path("bounceSubType").asString()).isEqualTo("General");
        assertThat(bounce.path("bouncedRecipients")).hasSize(1);
        assertThat(bounce.path("bouncedRecipients").get(0).path("emailAddress").asString())
                .isEqualTo("bounce+case1@simulator.amazonses.com");
        assertThat(bounce.path("bouncedRecipients").get(0).path("status").asString()).isEqualTo("5.1.1");
        assertThat(bounce.path("feedbackId").asString()).isNotBlank();

        JsonNode mail = event.path("mail");
        assertThat(mail.path("messageId").asString()).isEqualTo(messageId);
        assertThat(mail.path("source").asString()).isEqualTo("dev@mailer.local");
        assertThat(mail.path("sendingAccountId").asString()).isEqualTo("000000000000");
        assertThat(JSON.treeToValue(mail.path("destination"), List.class)).containsExactly("bounce+case1@simulator.amazonses.com");
        assertThat(JSON.treeToValue(mail.path("tags"), Map.class)).containsAllEntriesOf(Map.of(
                "mailer_send_id", List.of("b1-0"),
                "mailer_batch_id", List.of("b1"),
                "mailer_tenant", List.of("default"),
                "ses:configuration-set", List.of("mailer-events")));
        assertThat(mail.path("headers").toString()).contains("{\"name\":\"X-Mailer-Send-Id\",\"value\":\"b1-0\"}");
        assertThat(mail.path("commonHeaders").path("subject").asString()).isEqualTo("Hello Ada");
    }

    @Test
    void shouldPublishTheEventsOfEachSimulatorAddressAndOfOrdinaryAddresses() throws Exception {
        // When one message goes to each kind of address
        for (String to : List.of("success@simulator.amazonses.com", "ooto@simulator.amazonses.com",
                "ada@example.org", "suppressionlist@simulator.amazonses.com", "complaint+x@simulator.amazonses.com")) {
            ses.sendEmail(email(to));
        }

        // Then each gets its documented outcome (complaint@ a Delivery and then a Complaint)
        List<String> outcomes = new ArrayList<>();
        for (JsonNode envelope : receive(6)) {
            JsonNode event = JSON.readTree(envelope.path("Message").asString());
            String recipient = event.path("mail").path("destination").get(0).asString();
            String detail = switch (event.path("eventType").asString()) {
                case "Delivery" -> event.path("delivery").path("recipients").get(0).asString()
                        + " " + event.path("delivery").path("smtpResponse").asString();
                case "Bounce" -> event.path("bounce").path("bounceType").asString() + "/"
                        + event.path("bounce").path("bounceSubType").asString();
                case "Complaint" -> event.path("complaint").path("complaintFeedbackType").asString();
                default -> "?";
            };
            outcomes.add(recipient + " " + event.path("eventType").asString() + " " + detail);
        }
        assertThat(outcomes).containsExactlyInAnyOrder(
                "success@simulator.amazonses.com Delivery success@simulator.amazonses.com 250 2.6.0 Message received",
                "ooto@simulator.amazonses.com Delivery ooto@simulator.amazonses.com 250 2.6.0 Message received",
                "ada@example.org Delivery ada@example.org 250 2.6.0 Message received",
                "suppressionlist@simulator.amazonses.com Bounce Permanent/OnAccountSuppressionList",
                "complaint+x@simulator.amazonses.com Delivery complaint+x@simulator.amazonses.com 250 2.6.0 Message received",
                "complaint+x@simulator.amazonses.com Complaint abuse");
    }

    @Test
    void shouldAnswerTooManyRequestsWhenThrottlingAndRecordNothing() {
        stack.ses().throttleFraction(1.0);

        assertThatThrownBy(() -> ses.sendEmail(email("success@simulator.amazonses.com")))
                .isInstanceOfSatisfying(TooManyRequestsException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(429);
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("TooManyRequestsException");
                    assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("Maximum sending rate exceeded.");
                });
        assertThat(stack.ses().sent()).isEmpty();
        assertThat(stack.ses().sentCount()).isZero();
    }

    @Test
    void shouldServeTheAsyncClientWithTypedErrorsToo() {
        try (SesV2AsyncClient async = SesV2AsyncClient.builder()
                .endpointOverride(URI.create(stack.ses().endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build()) {
            String messageId = async.sendEmail(email("ada@example.org")).join().messageId();
            assertThat(stack.ses().sent()).extracting(SesSandbox.SentMessage::messageId).containsExactly(messageId);

            stack.ses().throttleFraction(1.0);
            assertThatThrownBy(() -> async.sendEmail(email("ada@example.org")).join())
                    .isInstanceOf(CompletionException.class)
                    .cause().isInstanceOf(TooManyRequestsException.class);
        }
    }

    @Test
    void shouldReturnTypedPermanentPausedAndServerErrors() {
        stack.ses().failPermanently("blocked-.*@example\\.org", "MessageRejected");
        assertThatThrownBy(() -> ses.sendEmail(email("blocked-1@example.org")))
                .isInstanceOfSatisfying(MessageRejectedException.class, e -> assertThat(e.statusCode()).isEqualTo(400));
        // Other addresses are not affected by the rule
        assertThat(ses.sendEmail(email("fine@example.org")).messageId()).isNotBlank();

        stack.ses().sendingPaused(true);
        assertThatThrownBy(() -> ses.sendEmail(email("fine@example.org")))
                .isInstanceOf(SendingPausedException.class);
        assertThat(ses.getAccount(b -> { }).sendingEnabled()).isFalse();
        stack.ses().sendingPaused(false);

        stack.ses().failServerErrors(1);
        assertThatThrownBy(() -> ses.sendEmail(email("fine@example.org")))
                .isExactlyInstanceOf(SesV2Exception.class)
                .satisfies(e -> assertThat(((SesV2Exception) e).statusCode()).isEqualTo(500));
        // Only the requested number of 500s
        assertThat(ses.sendEmail(email("fine@example.org")).messageId()).isNotBlank();
        assertThat(stack.ses().sent()).extracting(m -> m.to().get(0)).containsExactly("fine@example.org", "fine@example.org");
    }

    @Test
    void shouldReportTheConfiguredQuotaAndTheRecipientsSentInGetAccount() {
        stack.ses().maxSendRate(3.5);
        ses.sendEmail(email("a@example.org"));
        ses.sendEmail(email("b@example.org"));

        GetAccountResponse account = ses.getAccount(b -> { });

        assertThat(account.sendQuota().maxSendRate()).isEqualTo(3.5);
        assertThat(account.sendQuota().max24HourSend()).isEqualTo(50_000.0);
        assertThat(account.sendQuota().sentLast24Hours()).isEqualTo(2.0);
        assertThat(account.sendingEnabled()).isTrue();
        assertThat(account.enforcementStatus()).isEqualTo("HEALTHY");
    }

    @Test
    void shouldGiveEachBulkEntryItsOwnStatusAndRenderTheInlineTemplate() {
        stack.ses().failPermanently("rejected@example\\.org", "MessageRejected");

        List<BulkEmailEntryResult> results = ses.sendBulkEmail(SendBulkEmailRequest.builder()
                .fromEmailAddress("dev@mailer.local")
                .configurationSetName("mailer-events")
                .defaultContent(c -> c.template(t -> t
                        .templateContent(tc -> tc.subject("Hi {{name}}").text("Dear {{name}}, code {{code}}"))
                        .templateData("{\"name\":\"friend\",\"code\":\"X\"}")))
                .defaultEmailTags(tag -> tag.name("mailer_batch_id").value("b9"))
                .bulkEmailEntries(
                        e -> e.destination(d -> d.toAddresses("ada@example.org"))
                                .replacementEmailContent(r -> r.replacementTemplate(rt -> rt.replacementTemplateData("{\"name\":\"Ada\"}")))
                                .replacementTags(tag -> tag.name("mailer_send_id").value("b9-0")),
                        e -> e.destination(d -> d.toAddresses("rejected@example.org")))
                .build()).bulkEmailEntryResults();

        assertThat(results).extracting(BulkEmailEntryResult::status)
                .containsExactly(BulkEmailStatus.SUCCESS, BulkEmailStatus.MESSAGE_REJECTED);
        assertThat(results.get(0).messageId()).isNotBlank();
        assertThat(stack.ses().sent()).singleElement().satisfies(m -> {
            assertThat(m.messageId()).isEqualTo(results.get(0).messageId());
            assertThat(m.subject()).isEqualTo("Hi Ada");
            assertThat(m.text()).isEqualTo("Dear Ada, code X");
            assertThat(m.tags()).isEqualTo(Map.of("mailer_batch_id", "b9", "mailer_send_id", "b9-0"));
        });
    }

    @Test
    void shouldListRecordedMessagesForHumans() throws Exception {
        ses.sendEmail(email("ada@example.org"));

        HttpResponse<String> page = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(stack.ses().endpoint() + "/_sandbox/messages")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(page.statusCode()).isEqualTo(200);
        JsonNode messages = JSON.readTree(page.body());
        assertThat(messages).hasSize(1);
        assertThat(messages.get(0).path("to").get(0).asString()).isEqualTo("ada@example.org");
        assertThat(messages.get(0).path("subject").asString()).isEqualTo("Hello Ada");
    }

    private static SendEmailRequest email(String to) {
        return SendEmailRequest.builder()
                .fromEmailAddress("Mailer Dev <dev@mailer.local>")
                .destination(d -> d.toAddresses(to))
                .replyToAddresses("reply@mailer.local")
                .configurationSetName("mailer-events")
                .content(c -> c.simple(s -> s
                        .subject(x -> x.data("Hello Ada"))
                        .body(b -> b.html(h -> h.data("<p>Hi Ada</p>")).text(t -> t.data("Hi Ada")))
                        .headers(h -> h.name("X-Mailer-Send-Id").value("b1-0"),
                                h -> h.name("List-Unsubscribe").value("<http://localhost:3000/u/t>"))))
                .emailTags(t -> t.name("mailer_send_id").value("b1-0"),
                        t -> t.name("mailer_batch_id").value("b1"),
                        t -> t.name("mailer_tenant").value("default"))
                .build();
    }

    /** Waits for exactly {@code count} SNS envelopes (and checks that no more arrive shortly after). */
    private static List<JsonNode> receive(int count) {
        List<JsonNode> envelopes = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            for (Message m : sqs.receiveMessage(b -> b.queueUrl(stack.queueUrl()).maxNumberOfMessages(10).waitTimeSeconds(1)).messages()) {
                envelopes.add(JSON.readTree(m.body()));
                sqs.deleteMessage(b -> b.queueUrl(stack.queueUrl()).receiptHandle(m.receiptHandle()));
            }
            return envelopes.size() >= count;
        });
        assertThat(sqs.receiveMessage(b -> b.queueUrl(stack.queueUrl()).waitTimeSeconds(1)).messages()).isEmpty();
        assertThat(envelopes).hasSize(count);
        return envelopes;
    }

    private static void drainQueue() {
        sqs.purgeQueue(b -> b.queueUrl(stack.queueUrl()));
    }
}
