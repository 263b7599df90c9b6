package io.mailer.feedback.intake.ses;

import io.mailer.schemas.events.SesCorrelation;
import io.mailer.feedback.intake.IntakeOutcome;
import io.mailer.feedback.intake.QuarantineReason;
import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.EventType;
import io.mailer.schemas.events.Ids;
import io.mailer.schemas.events.Suppression;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * Maps one SES notification (either format) to per-recipient {@link DeliveryEvent}s and the
 * {@link Suppression}s they imply.
 *
 * <p>Dispatch is strictly on the type field; the presence of a {@code bounce} or {@code delivery}
 * object is never used to guess the type (a Delivery is never counted as a bounce). Event ids are
 * {@code Ids.sesEventId(mail.messageId, sesType, recipient)}, identical for both formats, so the
 * same event received twice (SNS retry, SQS redelivery, both formats enabled) is deduplicated
 * downstream. Timestamps come from the payload, never from the clock, so a redelivery maps to the
 * same records byte for byte.
 */
public final class SesEventMapper {

    /** SES sends this once when an identity's topic is set up; nothing to record. */
    static final String SUBSCRIPTION_SUCCEEDED = "AmazonSnsSubscriptionSucceeded";

    private final BouncePolicy bouncePolicy;
    private final SendLookup sendLookup;

    public SesEventMapper(BouncePolicy bouncePolicy) {
        this(bouncePolicy, SendLookup.NONE);
    }

    /**
     * @param sendLookup the last correlation fallback (SENT events' SES message ids) for
     *                   notifications with neither tags nor headers
     */
    public SesEventMapper(BouncePolicy bouncePolicy, SendLookup sendLookup) {
        this.bouncePolicy = bouncePolicy;
        this.sendLookup = sendLookup;
    }

    public IntakeOutcome map(SesNotification notification) {
        JsonNode ses = notification.ses();
        String sesName = first(Texts.text(ses.path("eventType")), Texts.text(ses.path("notificationType")));
        if (sesName == null) {
            return unknown("no eventType or notificationType");
        }
        if (SUBSCRIPTION_SUCCEEDED.equals(sesName)) {
            return new IntakeOutcome.Ignore(SUBSCRIPTION_SUCCEEDED);
        }
        Optional<SesType> type = SesType.of(sesName);
        if (type.isEmpty()) {
            return unknown("SES type '" + sesName + "'");
        }
        JsonNode mail = ses.path("mail");
        String sesMessageId = Texts.text(mail.path("messageId"));
        if (sesMessageId == null) {
            return unmappable("no mail.messageId");
        }
        JsonNode detail = ses.path(type.get().detailObject());
        Optional<Instant> mailTimestamp = instant(Texts.text(mail.path("timestamp")));
        Optional<Instant> occurredAt = instant(Texts.text(detail.path("timestamp"))).or(() -> mailTimestamp);
        if (occurredAt.isEmpty()) {
            return unmappable("no parsable timestamp");
        }
        // tags, else headers, else the SENT events' mapping
        SendLookup.Result correlation = Correlation.of(mail).<SendLookup.Result>map(SendLookup.Result.Found::new)
                .orElseGet(() -> sendLookup.bySesMessageId(sesMessageId, mailTimestamp.orElse(null)));
        if (correlation instanceof SendLookup.Result.Pending pending) {
            return new IntakeOutcome.Retry(pending.why());
        }
        if (!(correlation instanceof SendLookup.Result.Found found)) {
            return unmappable("no " + SesCorrelation.TAG_SEND_ID + "/" + SesCorrelation.TAG_TENANT + " tags, no "
                    + SesCorrelation.HEADER_SEND_ID + "/" + SesCorrelation.HEADER_TENANT + " headers and no SENT record of "
                    + sesMessageId);
        }
        if (type.get() == SesType.SUBSCRIPTION && !optsOut(detail)) {
            return new IntakeOutcome.Ignore("Subscription without opt-out");
        }
        List<RecipientOutcome> outcomes = switch (type.get()) {
            case DELIVERY -> each(detail.path("recipients"), EventType.DELIVERED, null,
                    details("smtpResponse", detail, "processingTimeMillis", detail, "reportingMTA", detail));
            case BOUNCE -> bounce(detail);
            case COMPLAINT -> complaint(detail);
            case SEND -> each(mail.path("destination"), EventType.SES_ACCEPTED, null, Map.of());
            case REJECT -> each(mail.path("destination"), EventType.REJECTED, Texts.text(detail.path("reason")), Map.of());
            case DELIVERY_DELAY -> delay(detail);
            case OPEN -> each(mail.path("destination"), EventType.OPENED, null,
                    details("ipAddress", detail, "userAgent", detail));
            case CLICK -> each(mail.path("destination"), EventType.CLICKED, null,
                    details("link", detail, "ipAddress", detail, "userAgent", detail));
            case RENDERING_FAILURE -> each(mail.path("destination"), EventType.RENDERING_FAILED,
                    Texts.text(detail.path("errorMessage")), details("templateName", detail));
            case SUBSCRIPTION -> subscription(mail, detail);
        };
        if (outcomes.isEmpty()) {
            return unmappable(sesName + " names no recipients");
        }
        return publish(type.get(), sesMessageId, found.correlation(), occurredAt.get(), outcomes,
                Correlation.batchTags(mail));
    }

    private IntakeOutcome publish(SesType type, String sesMessageId, Correlation c, Instant at,
            List<RecipientOutcome> outcomes, java.util.Map<String, String> tags) {
        List<DeliveryEvent> events = new ArrayList<>();
        List<Suppression> suppressions = new ArrayList<>();
        for (RecipientOutcome o : outcomes) {
            String eventId = Ids.sesEventId(sesMessageId, type.sesName(), o.email());
            events.add(new DeliveryEvent(eventId, o.type(), c.sendId(), c.batchId(), c.tenantId(),
                    c.recipientIndex(), o.email(), at, sesMessageId, o.reason(), o.details(), tags, java.util.Map.of()));
            if (o.suppress() != null) {
                suppressions.add(new Suppression(c.tenantId(), o.email(), o.suppress(), eventId, at));
            }
        }
        return new IntakeOutcome.Publish(type.sesName(), events, suppressions);
    }

    private List<RecipientOutcome> bounce(JsonNode bounce) {
        String bounceType = Texts.text(bounce.path("bounceType"));
        String subType = Texts.text(bounce.path("bounceSubType"));
        boolean permanent = bouncePolicy.isPermanent(bounceType, subType);
        List<RecipientOutcome> out = new ArrayList<>();
        for (JsonNode r : bounce.path("bouncedRecipients")) {
            String email = Texts.text(r.path("emailAddress"));
            if (email == null) {
                continue;
            }
            Map<String, String> details = details("bounceType", bounce, "bounceSubType", bounce, "feedbackId", bounce);
            details.putAll(details("diagnosticCode", r, "status", r, "action", r));
            out.add(new RecipientOutcome(email.trim(), permanent ? EventType.BOUNCED : EventType.SOFT_BOUNCED,
                    bounceType + (subType == null ? "" : "/" + subType), details,
                    permanent ? Suppression.Reason.BOUNCE : null));
        }
        return out;
    }

    private static List<RecipientOutcome> complaint(JsonNode complaint) {
        String feedbackType = Texts.text(complaint.path("complaintFeedbackType"));
        Map<String, String> details = details("complaintFeedbackType", complaint, "complaintSubType", complaint,
                "feedbackId", complaint, "userAgent", complaint);
        List<RecipientOutcome> out = new ArrayList<>();
        for (JsonNode r : complaint.path("complainedRecipients")) {
            String email = Texts.text(r.path("emailAddress"));
            if (email != null) {
                out.add(new RecipientOutcome(email.trim(), EventType.COMPLAINED, feedbackType, details,
                        Suppression.Reason.COMPLAINT));
            }
        }
        return out;
    }

    private static List<RecipientOutcome> delay(JsonNode delay) {
        String delayType = Texts.text(delay.path("delayType"));
        List<RecipientOutcome> out = new ArrayList<>();
        for (JsonNode r : delay.path("delayedRecipients")) {
            String email = Texts.text(r.path("emailAddress"));
            if (email != null) {
                Map<String, String> details = details("delayType", delay, "expirationTime", delay);
                details.putAll(details("diagnosticCode", r, "status", r));
                out.add(new RecipientOutcome(email.trim(), EventType.DELIVERY_DELAYED, delayType, details, null));
            }
        }
        return out;
    }

    /**
     * An opt-out from all topics or from any topic is an UNSUBSCRIBED event and an UNSUBSCRIBE
     * suppression: Mailer has no per-topic lists, and honouring an opt-out too widely is the safe
     * side (Gmail/Yahoo rules). An opt-in is ignored (see {@link #optsOut}).
     */
    private static List<RecipientOutcome> subscription(JsonNode mail, JsonNode subscription) {
        boolean all = subscription.path("newTopicPreferences").path("unsubscribeAll").asBoolean(false);
        Map<String, String> details = details("contactList", subscription, "source", subscription);
        details.put("unsubscribeAll", Boolean.toString(all));
        return each(mail.path("destination"), EventType.UNSUBSCRIBED, all ? "unsubscribeAll" : "topic", details,
                Suppression.Reason.UNSUBSCRIBE);
    }

    /** Whether a Subscription event opts out of all topics or of any one. */
    private static boolean optsOut(JsonNode subscription) {
        JsonNode prefs = subscription.path("newTopicPreferences");
        boolean anyTopic = false;
        for (JsonNode t : prefs.path("topicSubscriptionStatus")) {
            anyTopic |= "OptOut".equalsIgnoreCase(Texts.text(t.path("subscriptionStatus")));
        }
        return prefs.path("unsubscribeAll").asBoolean(false) || anyTopic;
    }

    private static List<RecipientOutcome> each(JsonNode addresses, EventType type, String reason,
            Map<String, String> details) {
        return each(addresses, type, reason, details, null);
    }

    private static List<RecipientOutcome> each(JsonNode addresses, EventType type, String reason,
            Map<String, String> details, Suppression.Reason suppress) {
        List<RecipientOutcome> out = new ArrayList<>();
        for (JsonNode a : addresses) {
            String email = Texts.text(a);
            if (email != null && !email.isBlank()) {
                out.add(new RecipientOutcome(email.trim(), type, reason, details, suppress));
            }
        }
        return out;
    }

    /** Pairs of (field name, object): the fields present become string details. */
    private static Map<String, String> details(Object... nameAndSource) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < nameAndSource.length; i += 2) {
            String name = (String) nameAndSource[i];
            String value = Texts.text(((JsonNode) nameAndSource[i + 1]).path(name));
            if (value != null) {
                out.put(name, value);
            }
        }
        return out;
    }

    /** The instant the text holds; empty when there is none or it does not parse. */
    private static Optional<Instant> instant(String text) {
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(text));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static <T> T first(T a, T b) {
        return a != null ? a : b;
    }

    private static IntakeOutcome unknown(String detail) {
        return new IntakeOutcome.Quarantine(QuarantineReason.UNKNOWN_TYPE, detail);
    }

    private static IntakeOutcome unmappable(String detail) {
        return new IntakeOutcome.Quarantine(QuarantineReason.UNMAPPABLE, detail);
    }

    private record RecipientOutcome(String email, EventType type, String reason, Map<String, String> details,
            Suppression.Reason suppress) {
    }
}
