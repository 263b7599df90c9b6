package io.mailer.feedback.intake;

import io.mailer.schemas.kafka.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import tools.jackson.databind.JsonNode;

/** Reads the SES/SNS fixtures under src/test/resources/fixtures (see the README there). */
public final class Fixtures {

    public static final String BATCH_ID = "0f8fad5b-d9cb-469f-a165-70867728950e";
    public static final String SEND_ID = BATCH_ID + "-4";
    public static final int RECIPIENT_INDEX = 4;
    public static final String TENANT = "acme";
    public static final String SES_MESSAGE_ID = "010001927d4ab5c1-3f6e2f4c-9d1a-4c1b-8a7e-7d5e0c2b9a11-000000";
    public static final String EMAIL = "Recipient@Example.com";

    private Fixtures() {
    }

    public static String text(String path) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + path)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode json(String path) {
        return Json.MAPPER.readTree(text(path));
    }

    /** The SES JSON of a fixture wrapped in an SNS Notification envelope (unsigned placeholder fields). */
    public static String snsEnvelope(String sesJson, String snsMessageId) {
        var envelope = Json.MAPPER.createObjectNode();
        envelope.put("Type", "Notification");
        envelope.put("MessageId", snsMessageId);
        envelope.put("TopicArn", "arn:aws:sns:us-east-1:123456789012:ses-events");
        envelope.put("Message", sesJson);
        envelope.put("Timestamp", "2026-11-20T10:00:03.000Z");
        envelope.put("SignatureVersion", "1");
        envelope.put("Signature", "EXAMPLE");
        envelope.put("SigningCertURL", "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-example.pem");
        envelope.put("UnsubscribeURL", "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe");
        return Json.MAPPER.writeValueAsString(envelope);
    }
}
