package io.mailer.feedback.intake.ses;

import io.mailer.feedback.intake.IntakeOutcome;
import io.mailer.feedback.intake.QuarantineReason;
import io.mailer.feedback.intake.sns.SignatureVerifier;
import io.mailer.schemas.kafka.Json;
import java.util.List;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Unwraps an SQS body into the SES notification it carries: either an SNS envelope (Type,
 * MessageId, TopicArn, Message = the SES JSON as a string, parsed a second time) or, with SNS raw
 * message delivery, the SES JSON itself. Authenticity is checked here, before anything is mapped.
 */
public final class NotificationReader {

    /** Either the {@link SesNotification} a body carries, or an {@link Unread} body. */
    public sealed interface ReadResult permits SesNotification, Unread {
    }

    /** A body that yields no notification, and what becomes of it instead (quarantine, or retry). */
    public record Unread(IntakeOutcome outcome) implements ReadResult {
    }

    private final SignatureVerifier verifier;
    private final List<String> acceptedTopicArns;

    public NotificationReader(SignatureVerifier verifier, List<String> acceptedTopicArns) {
        this.verifier = verifier;
        this.acceptedTopicArns = List.copyOf(acceptedTopicArns);
    }

    public ReadResult read(String body) {
        Optional<JsonNode> parsed = jsonObject(body);
        if (parsed.isEmpty()) {
            return quarantine(QuarantineReason.UNPARSABLE, "SQS body is not a JSON object");
        }
        JsonNode root = parsed.get();
        if (root.has("Type") && root.has("Message")) {
            return readSnsEnvelope(body, root);
        }
        if (root.has("eventType") || root.has("notificationType")) {
            // raw message delivery carries no signature: trust rests on the queue policy alone,
            // which is acceptable only when verification has been switched off deliberately
            if (verifier.enabled()) {
                return quarantine(QuarantineReason.UNSIGNED,
                        "raw SES message while SNS_VERIFY_SIGNATURES=true (disable it for raw message delivery)");
            }
            return new SesNotification(root, null, null);
        }
        return quarantine(QuarantineReason.UNKNOWN_TYPE, "neither an SNS envelope nor an SES event");
    }

    private ReadResult readSnsEnvelope(String body, JsonNode envelope) {
        String type = Texts.text(envelope.path("Type"));
        if (!"Notification".equals(type)) {
            return quarantine(QuarantineReason.NOT_A_NOTIFICATION, "SNS message of Type " + type);
        }
        SignatureVerifier.Verdict verdict = verifier.verify(body);
        if (verdict instanceof SignatureVerifier.Verdict.Unverifiable u) {
            return new Unread(new IntakeOutcome.Retry(u.why()));
        }
        if (verdict instanceof SignatureVerifier.Verdict.Invalid invalid) {
            return quarantine(QuarantineReason.BAD_SIGNATURE, invalid.problem());
        }
        String topicArn = Texts.text(envelope.path("TopicArn"));
        if (!acceptedTopicArns.isEmpty() && !acceptedTopicArns.contains(topicArn)) {
            return quarantine(QuarantineReason.UNEXPECTED_TOPIC, "topic " + topicArn + " is not in SNS_TOPIC_ARNS");
        }
        Optional<JsonNode> ses = Optional.ofNullable(Texts.text(envelope.path("Message")))
                .flatMap(NotificationReader::jsonObject);
        if (ses.isEmpty()) {
            return quarantine(QuarantineReason.UNPARSABLE, "SNS Message is not a JSON object");
        }
        return new SesNotification(ses.get(), Texts.text(envelope.path("MessageId")), topicArn);
    }

    /** The JSON object the text holds; empty when it is not JSON, or not an object. */
    private static Optional<JsonNode> jsonObject(String json) {
        try {
            JsonNode node = Json.MAPPER.readTree(json);
            return node != null && node.isObject() ? Optional.of(node) : Optional.empty();
        } catch (JacksonException e) {
            return Optional.empty();
        }
    }

    private static Unread quarantine(QuarantineReason reason, String detail) {
        return new Unread(new IntakeOutcome.Quarantine(reason, detail));
    }
}
